// Recovery: a CLI killed mid-stream, model API failures, a resume that cannot find its conversation.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Harness, startHarness } from './helpers/harness.js';
import type { TestClient } from './helpers/ws-client.js';

let h: Harness;
before(async () => {
  h = await startHarness({ MODEL_TIMEOUT_SECONDS: '2', MODEL_MAX_RETRIES: '1' });
});
after(() => h.close());

test('SIGKILL mid-stream: stream_error while the answer was still streaming, the next message recovers with context', async () => {
  const c = await h.client();
  const id = await c.createSession();
  h.model.enqueue(id, { kind: 'text', text: 'Remembered: KIWI.' });
  await c.turn(id, 'Remember KIWI');
  const pid = (await h.api('GET', `/api/v1/sessions/${id}`)).body.subprocess_pid as number;
  h.model.enqueue(id, { kind: 'text', text: 'l'.repeat(100), chunks: 100, delayMs: 50 });
  c.send({ type: 'user_message', session_id: id, text: 'long answer please' });
  await c.next('stream_delta');
  const t0 = Date.now();
  process.kill(pid, 'SIGKILL');
  const e = await c.next('stream_error');
  const ms = Date.now() - t0;
  console.log(`# SIGKILL -> stream_error: ${ms} ms`);
  // the death is noticed at once, not when the (5 s) answer would have ended: most of it never arrived
  const deltas = c.frames.filter((f) => f.type === 'stream_delta' && f.session_id === id).length;
  assert.ok(deltas < 100, `${deltas} deltas`);
  assert.equal(e.partial_preserved, true);
  assert.equal(e.suggested_action, 'retry');
  assert.equal(e.error, 'The agent process stopped unexpectedly. Your conversation is kept.');
  h.model.enqueue(id, { kind: 'text', text: 'KIWI' });
  const r = await c.turn(id, 'Which fruit?', 60_000);
  assert.equal(r.text, 'KIWI');
  assert.ok(h.model.requestsFor(id).at(-1)?.userTexts.includes('Remember KIWI'));
  assert.notEqual((await h.api('GET', `/api/v1/sessions/${id}`)).body.subprocess_pid, pid);
});

describe('model API failures', () => {
  let c: TestClient;
  let id: string;
  before(async () => {
    c = await h.client();
    id = await c.createSession();
  });

  const cases = [
    { name: 'HTTP 500', replies: [{ kind: 'error', status: 500 }], error: /API Error: 500/ },
    { name: '529 overloaded', replies: [{ kind: 'error', status: 529 }], error: /529|Overloaded/i },
    { name: '401 unauthorized', replies: [{ kind: 'error', status: 401 }], error: /authenticate|401/i },
    {
      name: 'a stream cut mid-way',
      replies: [{ kind: 'drop', text: 'partial' }],
      error: /Connection dropped|ECONNRESET|terminated|network/i,
    },
    { name: 'a request that hangs', replies: [{ kind: 'hang' }], error: /timed out/i },
  ] as const;

  for (const k of cases) {
    test(`${k.name}: retry status, then a readable stream_error in bounded time; the session answers afterwards`, async () => {
      // one reply per attempt (MODEL_MAX_RETRIES=1: two attempts)
      h.model.enqueue(id, ...k.replies, ...k.replies);
      const start = c.frames.length;
      const t0 = Date.now();
      c.send({ type: 'user_message', session_id: id, text: `trigger ${k.name}` });
      const e = await c.next('stream_error', undefined, 30_000);
      const ms = Date.now() - t0;
      assert.match(e.error, k.error);
      assert.equal(e.suggested_action, 'retry');
      const frames = c.frames.slice(start);
      assert.ok(
        frames.some((f) => f.type === 'stream_status' && f.status === 'retrying'),
        'the retry is visible',
      );
      assert.ok(!frames.some((f) => f.type === 'stream_delta' && /API Error/.test(f.delta)), 'the error is not shown as model text');
      console.log(`# ${k.name}: stream_error after ${ms} ms`);
      h.model.releaseAll();
      h.model.enqueue(id, { kind: 'text', text: 'recovered' });
      assert.equal((await c.turn(id, 'and now?')).text, 'recovered');
    });
  }
});

test('resume that finds no conversation: told plainly, offered a new session, never retried in a loop', async () => {
  const c = await h.client();
  const id = await c.createSession();
  h.model.enqueue(id, { kind: 'text', text: 'hi' });
  await c.turn(id, 'hello');
  c.send({ type: 'destroy_session', session_id: id });
  await c.next('session_terminated');
  // lose the transcript
  const cfg = h.env.CLAUDE_CONFIG_DIR as string;
  const files = fs.readdirSync(path.join(cfg, 'projects'), { recursive: true }) as string[];
  for (const f of files.filter((f) => f.includes(id))) fs.rmSync(path.join(cfg, 'projects', f), { recursive: true, force: true });
  c.send({ type: 'user_message', session_id: id, text: 'are you there?' });
  const e = await c.next('stream_error', undefined, 30_000);
  assert.equal(e.suggested_action, 'new_session');
  assert.match(e.error, /could not be restored/);
  const t = await c.next('session_terminated');
  assert.equal(t.reason, 'resume_failed');
  assert.equal(t.resume_url, null);
  const row = (await h.api('GET', `/api/v1/sessions/${id}`)).body;
  assert.equal(row.is_resumable, false);
  const requestsBefore = h.model.requestsFor(id).length;
  c.send({ type: 'user_message', session_id: id, text: 'again?' });
  const e2 = await c.next('error');
  assert.equal(e2.code, 'session_unavailable');
  assert.match(e2.message, /cannot be resumed/);
  assert.equal(h.model.requestsFor(id).length, requestsBefore);
});

test('interrupt while the model request hangs: the turn ends without the model answering; the session answers next', async () => {
  const c = await h.client();
  const id = await c.createSession();
  h.model.enqueue(id, { kind: 'hang' });
  const before_ = h.model.requestsFor(id).length;
  c.send({ type: 'user_message', session_id: id, text: 'this request will hang' });
  await h.model.waitForRequest((r) => r.sessionId === id && h.model.requestsFor(id).length > before_);
  const t0 = Date.now();
  c.send({ type: 'interrupt', session_id: id });
  await c.next('stream_interrupted', undefined, 10_000);
  console.log(`# interrupt during a hung request: ${Date.now() - t0} ms`);
  // the hung request is still open: the turn ended on the server's bound, not on the model
  assert.equal(h.model.requestsFor(id).length, before_ + 1);
  h.model.releaseAll();
  h.model.enqueue(id, { kind: 'text', text: 'answering again' });
  assert.equal((await c.turn(id, 'hello?', 60_000)).text, 'answering again');
});
