// SESSION_EVICTION=idle (the default): at MAX_SESSIONS a new or resumed session
// takes the process of the least recently used idle session, which goes dormant
// and answers its next message with its conversation. 503 only when all are busy.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isAlive } from '../src/core/cli/process-tree.js';
import { type Harness, startHarness } from './helpers/harness.js';
import type { TestClient } from './helpers/ws-client.js';

const metric = async (h: Harness, name: string): Promise<number> => {
  const text = await fetch(`${h.url}/metrics`, { headers: { 'X-API-Key': h.key } }).then((r) => r.text());
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.slice(name.length + 1) ?? Number.NaN);
};

/** The session_updated with this status, whether it already arrived or is still to come. */
async function announced(c: TestClient, id: string, status: string) {
  const pred = (f: (typeof c.frames)[number]) => f.type === 'session_updated' && f.session.session_id === id && f.session.status === status;
  const seen = c.frames.find(pred);
  if (seen?.type === 'session_updated') return seen;
  return c.next('session_updated', (f) => pred(f));
}

describe('SESSION_EVICTION=idle, MAX_SESSIONS=2', () => {
  let h: Harness;
  let c: TestClient;
  let a: string;
  let b: string;
  let third: string;
  before(async () => {
    h = await startHarness({ MAX_SESSIONS: '2' });
    c = await h.client();
  });
  after(() => h.close());

  test('a third session releases the least recently used idle one: dormant, listed, process gone', async () => {
    a = await c.createSession();
    h.model.enqueue(a, { kind: 'text', text: 'Noted.' });
    await c.turn(a, 'The secret word is MANGO');
    b = await c.createSession();
    const pidA = (await h.api('GET', `/api/v1/sessions/${a}`)).body.subprocess_pid as number;
    third = await c.createSession();
    const d = await announced(c, a, 'dormant');
    assert.equal(d.session.is_resumable, true);
    assert.equal(c.frames.filter((f) => f.type === 'session_updated' && f.session.status === 'dormant').length, 1, 'announced once');
    const detail = (await h.api('GET', `/api/v1/sessions/${a}`)).body;
    assert.equal(detail.status, 'dormant');
    assert.equal(detail.subprocess_pid, null);
    const list = (await h.api('GET', '/api/v1/sessions')).body.sessions as { session_id: string; status: string }[];
    assert.equal(list.find((s) => s.session_id === a)?.status, 'dormant');
    assert.equal(list.find((s) => s.session_id === b)?.status, 'active');
    // its process ends (stopped on purpose, not reported as a crash)
    await (await h.built.manager.find(a))?.whenReleased();
    assert.equal(isAlive(pidA), false);
    assert.equal(c.frames.filter((f) => f.type === 'stream_error').length, 0);
    assert.equal(await metric(h, 'csp_sessions_dormant'), 1);
    assert.equal(await metric(h, 'csp_session_processes_live'), 2);
    assert.equal(await metric(h, 'csp_sessions_active'), 2);
    assert.equal(await metric(h, 'csp_turns_total{outcome="complete"}'), 1, 'the one turn so far is counted');
    assert.equal(await metric(h, 'csp_turns_total{outcome="error"}'), 0);
  });

  test('a dormant session answers its next message with its conversation; the next least recently used goes dormant', async () => {
    h.model.enqueue(a, { kind: 'text', text: 'MANGO' });
    const t = await c.turn(a, 'What is the secret word?', 60_000);
    assert.equal(t.text, 'MANGO');
    assert.ok(h.model.requestsFor(a).at(-1)?.userTexts.includes('The secret word is MANGO'), 'the conversation came back');
    await announced(c, b, 'dormant');
    assert.equal((await h.api('GET', `/api/v1/sessions/${a}`)).body.status, 'idle');
    assert.equal(await metric(h, 'csp_sessions_dormant'), 1);
    assert.equal(await metric(h, 'csp_session_processes_live'), 2);
  });

  test('a session with a turn in flight or a pending permission is never released: 503 when every live session is busy', async () => {
    for (const id of [a, third]) {
      h.model.enqueue(id, { kind: 'text', text: 'z'.repeat(60), chunks: 60, delayMs: 100 });
      c.send({ type: 'user_message', session_id: id, text: 'stream a while' });
      await c.next('stream_delta', (f) => f.session_id === id);
    }
    const r = await h.api('POST', '/api/v1/sessions', {});
    assert.equal(r.status, 503);
    assert.deepEqual(r.body, { error: 'capacity_exceeded', message: 'Server at capacity. Max sessions: 2' });
    const ready = await h.api('GET', '/api/v1/health/ready', undefined, null);
    assert.equal(ready.body.reason, 'at_capacity');
    for (const id of [a, third]) await c.next('response_complete', (f) => f.session_id === id, 30_000);
    assert.equal((await h.api('GET', `/api/v1/sessions/${a}`)).body.status, 'idle', 'neither busy session was released');
    assert.equal((await h.api('GET', `/api/v1/sessions/${third}`)).body.status, 'idle');
  });
});

describe('a session released before its first message', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ MAX_SESSIONS: '1' });
  });
  after(() => h.close());

  test('has no conversation to resume: its first message starts it fresh and answers', async () => {
    const c = await h.client();
    const a = await c.createSession();
    await c.createSession();
    await announced(c, a, 'dormant');
    h.model.enqueue(a, { kind: 'text', text: 'Hello from a fresh start.' });
    const t = await c.turn(a, 'hi', 60_000);
    assert.equal(t.text, 'Hello from a fresh start.');
    assert.equal(c.frames.filter((f) => f.type === 'session_terminated' || f.type === 'stream_error').length, 0);
    assert.equal((await h.api('GET', `/api/v1/sessions/${a}`)).body.is_resumable, true);
  });
});

describe('shutting down', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('a create during shutdown gets its own error (shutting_down), not capacity_exceeded', async () => {
    await h.built.shutdown();
    const r = await h.api('POST', '/api/v1/sessions', {});
    assert.equal(r.status, 503);
    assert.deepEqual(r.body, { error: 'shutting_down', message: 'Server is shutting down' });
    const ready = await h.api('GET', '/api/v1/health/ready', undefined, null);
    assert.equal(ready.body.reason, 'shutting_down');
    assert.equal(ready.body.draining, true, 'the replica says it is draining');
  });
});
