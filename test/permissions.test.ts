// PERMISSION_MODE=default: canUseTool becomes permission_request / permission_response.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Harness, startHarness } from './helpers/harness.js';
import type { TestClient } from './helpers/ws-client.js';

let h: Harness;
let c: TestClient;
let id: string;
before(async () => {
  h = await startHarness({ PERMISSION_MODE: 'default', PERMISSION_TIMEOUT_SECONDS: '2' });
  c = await h.client();
  id = await c.createSession();
});
after(() => h.close());

test('allow: the tool runs', async () => {
  h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'touch allowed.txt && echo allowed-run' } });
  c.send({ type: 'user_message', session_id: id, text: 'run it' });
  const req = await c.next('permission_request');
  assert.equal(req.tool, 'Bash');
  assert.deepEqual(req.input, { command: 'touch allowed.txt && echo allowed-run' });
  assert.equal(req.timeout_seconds, 2);
  c.send({ type: 'permission_response', request_id: req.request_id, decision: 'allow' });
  const res = await c.next('tool_result');
  assert.equal(res.status, 'success');
  assert.match(String(res.result.output), /allowed-run/);
  await c.next('response_complete');
});

test('deny: the tool does not run and the model is told', async () => {
  h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'touch denied.txt' } });
  c.send({ type: 'user_message', session_id: id, text: 'run it again' });
  const req = await c.next('permission_request');
  c.send({ type: 'permission_response', request_id: req.request_id, decision: 'deny' });
  const res = await c.next('tool_result');
  assert.equal(res.status, 'error');
  assert.equal(fs.existsSync(path.join(h.projectDir, 'denied.txt')), false, 'the denied command did not run');
  await c.next('response_complete');
  assert.match(h.model.requestsFor(id).at(-1)?.toolResults[0]?.content ?? '', /denied/i);
});

test('no answer in time denies', async () => {
  h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'touch late.txt' } });
  c.send({ type: 'user_message', session_id: id, text: 'and once more' });
  await c.next('permission_request');
  const res = await c.next('tool_result', undefined, 10_000);
  assert.equal(res.status, 'error');
  await c.next('response_complete');
});

test('allow_always: later calls of that tool in the session are not asked again', async () => {
  h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'touch first.txt' } });
  c.send({ type: 'user_message', session_id: id, text: 'first' });
  const req = await c.next('permission_request');
  c.send({ type: 'permission_response', request_id: req.request_id, decision: 'allow_always' });
  await c.next('response_complete');
  const asked = c.frames.filter((f) => f.type === 'permission_request').length;
  h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'touch second.txt' } });
  const r = await c.turn(id, 'second');
  const res = r.frames.find((f) => f.type === 'tool_result');
  assert.equal(res?.type === 'tool_result' && res.status, 'success');
  assert.equal(c.frames.filter((f) => f.type === 'permission_request').length, asked);
  // an answer to a request that is gone is refused
  c.send({ type: 'permission_response', request_id: req.request_id, decision: 'allow' });
  assert.equal((await c.next('error')).code, 'invalid_message');
});
