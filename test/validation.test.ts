// Input validation rules (empty, too long, bad seq, bad id, bad JSON), messages word for word, over a real WebSocket. The connection stays open after each.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type Harness, startHarness } from './helpers/harness.js';
import type { TestClient } from './helpers/ws-client.js';

let h: Harness;
let c: TestClient;
let id: string;
before(async () => {
  h = await startHarness();
  c = await h.client();
  id = await c.createSession();
});
after(async () => {
  await h.close();
});

async function expectError(send: () => void, code: string, message?: string | RegExp) {
  send();
  const e = await c.next('error');
  assert.equal(e.code, code);
  if (typeof message === 'string') assert.equal(e.message, message);
  else if (message) assert.match(e.message, message);
  return e;
}

test('32,000 characters are accepted; 32,001 are refused', async () => {
  h.model.enqueue(id, { kind: 'text', text: 'ok' });
  const r = await c.turn(id, 'a'.repeat(32_000));
  assert.equal(r.text, 'ok');
  assert.equal(h.model.requestsFor(id).at(-1)?.lastUserText.length, 32_000);
  await expectError(
    () => c.send({ type: 'user_message', session_id: id, text: 'a'.repeat(32_001) }),
    'invalid_message',
    'Message exceeds 32,000 character limit',
  );
});

test('characters are code points: 32,000 emoji pass', async () => {
  h.model.enqueue(id, { kind: 'text', text: 'ok' });
  const r = await c.turn(id, '😀'.repeat(32_000));
  assert.equal(r.text, 'ok');
});

test('empty and whitespace-only messages', async () => {
  await expectError(() => c.send({ type: 'user_message', session_id: id, text: '' }), 'invalid_message', 'Message is empty');
  await expectError(() => c.send({ type: 'user_message', session_id: id, text: ' \n\t ' }), 'invalid_message', 'Message is empty');
});

test('invalid JSON', async () => {
  await expectError(() => c.sendRaw('{"type": "user_message",'), 'invalid_json', 'Invalid JSON');
  await expectError(() => c.sendRaw(''), 'invalid_json');
});

test('unknown type, wrong field types, missing fields, malformed ids', async () => {
  await expectError(() => c.sendRaw(JSON.stringify({ type: 'launch_rockets' })), 'invalid_message', 'Unknown message type: launch_rockets');
  await expectError(() => c.sendRaw(JSON.stringify({ no: 'type' })), 'invalid_message', /Unknown message type/);
  await expectError(() => c.sendRaw('[1,2,3]'), 'invalid_message');
  await expectError(() => c.sendRaw('null'), 'invalid_message');
  await expectError(() => c.sendRaw(JSON.stringify({ type: 'user_message', session_id: id, text: 5 })), 'invalid_message', /text/);
  await expectError(() => c.sendRaw(JSON.stringify({ type: 'user_message', session_id: id })), 'invalid_message', /text/);
  await expectError(
    () => c.sendRaw(JSON.stringify({ type: 'interrupt', session_id: 'not-a-uuid' })),
    'invalid_message',
    'Invalid session id',
  );
  await expectError(
    () => c.sendRaw(JSON.stringify({ type: 'switch_session', session_id: 'x'.repeat(5000) })),
    'invalid_message',
    'Invalid session id',
  );
  await expectError(() => c.sendRaw(JSON.stringify({ type: 'user_message', session_id: id, text: 'hi', seq: -1 })), 'invalid_message');
  await expectError(() => c.sendRaw(JSON.stringify({ type: 'user_message', session_id: id, text: 'hi', seq: 1.5 })), 'invalid_message');
});

test('fuzz finds: a type that cannot be turned into a string is an unknown type, not an internal error', async () => {
  for (const [type, shown] of [
    ['{"valueOf":1,"toString":2}', 'object'],
    [`${'['.repeat(20_000)}${']'.repeat(20_000)}`, 'array'],
    ['null', 'null'],
    ['5', '5'],
  ]) {
    await expectError(() => c.sendRaw(`{"type":${type}}`), 'invalid_message', `Unknown message type: ${shown}`);
  }
});

test('unknown session ids', async () => {
  const ghost = '00000000-0000-4000-8000-000000000000';
  for (const type of ['user_message', 'interrupt', 'switch_session', 'destroy_session']) {
    const e = await expectError(() => c.send({ type, session_id: ghost, text: 'hi' }), 'session_not_found', 'Session not found');
    assert.equal(e.session_id, ghost);
  }
});

test('non-increasing seq is refused', async () => {
  h.model.enqueue(id, { kind: 'text', text: 'ok' });
  c.send({ type: 'user_message', session_id: id, text: 'seq 1000', seq: 1000 });
  await c.next('response_complete');
  await expectError(
    () => c.send({ type: 'user_message', session_id: id, text: 'again', seq: 1000 }),
    'invalid_message',
    'Invalid sequence number',
  );
  await expectError(
    () => c.send({ type: 'user_message', session_id: id, text: 'lower', seq: 999 }),
    'invalid_message',
    'Invalid sequence number',
  );
});

test('unknown permission request', async () => {
  await expectError(
    () => c.send({ type: 'permission_response', request_id: 'nope', decision: 'allow' }),
    'invalid_message',
    /permission request/,
  );
});

test('binary frames and oversized frames get errors, and the connection stays usable', async () => {
  c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
  assert.equal((await c.next('error')).code, 'invalid_message');
  h.model.enqueue(id, { kind: 'text', text: 'still here' });
  const r = await c.turn(id, 'still there?');
  assert.equal(r.text, 'still here');
  assert.deepEqual(c.invalid, []);
});
