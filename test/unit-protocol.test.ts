// The protocol module, the error table and the committed JSON Schema stay honest.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { protocolSchema, SCHEMA_PATH } from '../scripts/generate-schema.js';
import { ERRORS, errorMessage, WS_ERROR_CODES, wsCode } from '../src/protocol/errors.js';
import { ClientMessage, ServerFrame } from '../src/protocol/messages.js';

test('docs/protocol.schema.json matches the zod module (run `npm run schema` after changing it)', () => {
  const committed = JSON.parse(fs.readFileSync(SCHEMA_PATH, 'utf8'));
  assert.deepEqual(committed, JSON.parse(JSON.stringify(protocolSchema())));
});

test('the error table holds the spec codes, statuses and messages word for word', () => {
  const spec: Record<string, [number, string]> = {
    unauthorized: [401, 'Invalid API key'],
    not_found: [404, 'Session not found'],
    capacity_exceeded: [503, 'Server at capacity. Max sessions: {max}'],
    query_in_progress: [409, 'Please wait for the current response to complete.'],
  };
  for (const [code, [status, message]] of Object.entries(spec)) {
    assert.equal(ERRORS[code as keyof typeof ERRORS].status, status, code);
    assert.equal(ERRORS[code as keyof typeof ERRORS].message, message, code);
  }
  assert.equal(errorMessage('capacity_exceeded', { max: 10 }), 'Server at capacity. Max sessions: 10');
  // the contract's WebSocket error codes: each is the wire name of a table code, and in the error frame schema
  const wireNames = Object.keys(ERRORS).map((c) => wsCode(c as keyof typeof ERRORS));
  for (const code of ['query_in_progress', 'session_not_found', 'invalid_message', 'invalid_json', 'capacity_exceeded', 'internal_error']) {
    assert.ok((WS_ERROR_CODES as readonly string[]).includes(code), code);
    assert.ok(wireNames.includes(code as never), code);
    assert.ok(ServerFrame.safeParse({ type: 'error', seq: 1, code, message: 'm' }).success, code);
  }
  for (const [code, e] of Object.entries(ERRORS)) {
    assert.ok(e.status >= 400 && e.status < 600, code);
    assert.ok(e.message.length > 0, code);
  }
});

test('every message type of the WebSocket contract is in the protocol module', () => {
  const client = ClientMessage.options.map((o) => o.shape.type.value);
  for (const t of ['user_message', 'interrupt', 'create_session', 'switch_session', 'destroy_session'])
    assert.ok(client.includes(t as never), t);
  const server = ServerFrame.options.map((o) => o.shape.type.value);
  for (const t of [
    'session_list',
    'session_ready',
    'session_creating',
    'message_received',
    'stream_delta',
    'tool_use',
    'tool_result',
    'response_complete',
    'stream_error',
    'stream_interrupted',
    'session_warning',
    'session_terminated',
    'session_restarting',
    'error',
    'session_opened_elsewhere',
    'server_shutting_down',
  ])
    assert.ok(server.includes(t as never), t);
});

test('the protocol module is browser-safe (no Node imports)', () => {
  const dir = path.resolve(import.meta.dirname, '../src/protocol');
  for (const f of fs.readdirSync(dir)) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    assert.doesNotMatch(src, /from ['"](node:|fs|path|crypto|os|child_process)/, f);
  }
});
