// PERMISSION_MODE=default: canUseTool becomes permission_request / permission_response.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { PermissionDecision } from '../src/protocol/messages.js';
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

test('a pending request: the summary says the session waits (and where it works), the request carries its deadline', async () => {
  h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'touch waiting.txt' } });
  const sent = Date.now();
  c.send({ type: 'user_message', session_id: id, text: 'wait for me' });
  const req = await c.next('permission_request');
  const deadline = Date.parse(String(req.expires_at));
  assert.ok(deadline > sent && deadline <= Date.now() + 2000, `expires_at ${req.expires_at} is within the 2 s timeout`);
  const waiting = await c.next('session_updated', (f) => f.session.session_id === id && f.session.waiting_for === 'permission');
  assert.equal(waiting.session.working_dir, h.projectDir);
  c.send({ type: 'permission_response', request_id: req.request_id, decision: 'deny' });
  await c.next('session_updated', (f) => f.session.session_id === id && f.session.waiting_for === null);
  await c.next('response_complete');
});

test('no answer in time denies', async () => {
  h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'touch late.txt' } });
  c.send({ type: 'user_message', session_id: id, text: 'and once more' });
  await c.next('permission_request');
  const res = await c.next('tool_result', undefined, 10_000);
  assert.equal(res.status, 'error');
  await c.next('response_complete');
});

test('allow_always: later calls the rule covers are not asked again', async () => {
  h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'touch first.txt' } });
  c.send({ type: 'user_message', session_id: id, text: 'first' });
  const req = await c.next('permission_request');
  c.send({ type: 'permission_response', request_id: req.request_id, decision: 'allow_always' });
  await c.next('response_complete');
  const asked = c.frames.filter((f) => f.type === 'permission_request').length;
  // the CLI's own suggestion for this command (the demo model gives it no prefix) is the exact command
  assert.match(req.always_allow_scope ?? '', /touch first\.txt/);
  h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'touch first.txt' } });
  const r = await c.turn(id, 'second');
  const res = r.frames.find((f) => f.type === 'tool_result');
  assert.equal(res?.type === 'tool_result' && res.status, 'success');
  assert.equal(c.frames.filter((f) => f.type === 'permission_request').length, asked);
  // an answer to a request that is gone is refused
  c.send({ type: 'permission_response', request_id: req.request_id, decision: 'allow' });
  assert.equal((await c.next('error')).code, 'invalid_message');
});

test('a permission answer counts only from the connection that watches the session', async () => {
  const other = await h.client();
  h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'cp /dev/null owner-only.txt' } });
  c.send({ type: 'user_message', session_id: id, text: 'owner only' });
  const req = await c.next('permission_request');
  // another key holder's connection that does not watch the session: as if the request did not exist
  other.send({ type: 'permission_response', request_id: req.request_id, decision: 'allow' });
  const e = await other.next('error');
  assert.equal(e.code, 'invalid_message');
  assert.equal(e.message, 'Unknown or expired permission request');
  assert.equal(fs.existsSync(path.join(h.projectDir, 'owner-only.txt')), false, 'nothing ran on the stranger’s answer');
  // the owner's answer still works: the request stayed pending
  c.send({ type: 'permission_response', request_id: req.request_id, decision: 'allow' });
  assert.equal((await c.next('tool_result')).status, 'success');
  await c.next('response_complete');
  assert.equal(fs.existsSync(path.join(h.projectDir, 'owner-only.txt')), true);
  await other.close();
});

/** Runs one scripted tool call; returns the permission_request if one was asked (answered with `answer`). */
async function toolCall(tool: string, input: Record<string, unknown>, answer: PermissionDecision = 'deny') {
  h.model.enqueue(id, { kind: 'tool_use', name: tool, input });
  const start = c.frames.length;
  c.send({ type: 'user_message', session_id: id, text: `call ${tool}` });
  const first = await Promise.race([c.next('permission_request'), c.next('tool_result')]);
  let asked: (typeof c.frames)[number] | undefined;
  if (first.type === 'permission_request') {
    asked = first;
    c.send({ type: 'permission_response', request_id: first.request_id, decision: answer });
  }
  await c.next('response_complete');
  const result = c.frames.slice(start).find((f) => f.type === 'tool_result');
  return { asked: asked?.type === 'permission_request' ? asked : undefined, result: result?.type === 'tool_result' ? result : undefined };
}

test('Always allow for Bash covers commands with the same prefix only, and no dangerous or substituted part', async () => {
  const first = await toolCall('Bash', { command: 'mkdir scoped-one' }, 'allow_always');
  // the CLI's own suggestion: commands starting with "mkdir scoped-one"
  assert.equal(first.asked?.always_allow_scope, 'Bash commands starting with "mkdir scoped-one" (no redirections or substitutions)');
  const same = await toolCall('Bash', { command: 'mkdir scoped-one scoped-two' });
  assert.equal(same.asked, undefined, 'same prefix: not asked again');
  assert.ok(fs.existsSync(path.join(h.projectDir, 'scoped-two')));
  const other = await toolCall('Bash', { command: 'rm -rf scoped-one' });
  assert.ok(other.asked, 'another command is asked');
  assert.equal(other.asked?.always_allow_scope, undefined, 'no Always allow for rm');
  assert.match(other.asked?.warning ?? '', /rm deletes files/i);
  assert.ok(fs.existsSync(path.join(h.projectDir, 'scoped-one')), 'the denied rm did not run');
  const chained = await toolCall('Bash', { command: 'mkdir scoped-three && rm -rf scoped-one' });
  assert.ok(chained.asked, 'a chained command is asked even when it starts with mkdir');
  assert.ok(fs.existsSync(path.join(h.projectDir, 'scoped-one')));
  const substituted = await toolCall('Bash', { command: 'mkdir $(rm -rf scoped-one)' });
  assert.ok(substituted.asked, 'a substitution is asked');
  assert.ok(fs.existsSync(path.join(h.projectDir, 'scoped-one')));
});

test('a compound command: Always allow grants a rule per sub-command, and the same command is not asked again', async () => {
  const first = await toolCall('Bash', { command: 'touch compound.txt && echo compound-ok' }, 'allow_always');
  assert.match(first.asked?.always_allow_scope ?? '', /^Bash commands made of "touch compound\.txt".* or "echo compound-ok"/);
  const again = await toolCall('Bash', { command: 'touch compound.txt && echo compound-ok' });
  assert.equal(again.asked, undefined, 'the command just allowed always is not asked again');
  assert.equal(again.result?.status, 'success');
});

test('Deny and tell Claude: the model reads the note with the denial', async () => {
  h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command: 'npm install left-pad' } });
  c.send({ type: 'user_message', session_id: id, text: 'install it' });
  const req = await c.next('permission_request');
  c.send({ type: 'permission_response', request_id: req.request_id, decision: 'deny', message: 'use pnpm add instead' });
  await c.next('response_complete');
  const sent = h.model.requestsFor(id).at(-1)?.toolResults[0];
  assert.equal(sent?.is_error, true);
  assert.match(sent?.content ?? '', /The user denied this tool call\. They said: use pnpm add instead/);
});

test('Always allow for Write covers files inside PROJECT_DIR only (no .. escape, not mcp.json)', async () => {
  const inside = path.join(h.projectDir, 'scoped-a.txt');
  const first = await toolCall('Write', { file_path: inside, content: 'a' }, 'allow_always');
  assert.equal(first.asked?.always_allow_scope, `Write to files inside ${h.projectDir} (except mcp.json, skills/ and commands/)`);
  assert.equal(fs.readFileSync(inside, 'utf8'), 'a');
  const second = await toolCall('Write', { file_path: path.join(h.projectDir, 'sub', 'scoped-b.txt'), content: 'b' });
  assert.equal(second.asked, undefined, 'inside the project: not asked again');
  assert.equal(second.result?.status, 'success');
  const outsidePath = path.join(h.dir, 'outside.txt');
  const outside = await toolCall('Write', { file_path: outsidePath, content: 'x' });
  assert.ok(outside.asked, 'outside the project is asked');
  assert.equal(outside.asked?.always_allow_scope, undefined);
  assert.equal(outside.asked?.warning, `${outsidePath} is outside ${h.projectDir}: approve each call.`);
  assert.equal(fs.existsSync(outsidePath), false);
  const dotdot = await toolCall('Write', { file_path: path.join(h.projectDir, '..', 'escape.txt'), content: 'x' });
  assert.ok(dotdot.asked, 'a .. escape is asked');
  assert.equal(fs.existsSync(path.join(h.dir, 'escape.txt')), false);
  const mcpJson = path.join(h.projectDir, 'mcp.json');
  const ext = await toolCall('Write', { file_path: mcpJson, content: '{}' });
  // not covered by Always allow: asked (and denied here), or refused outright by the CLI's deny rules
  assert.ok(ext.asked || ext.result?.status === 'error', "the platform's own extension file is not written without asking");
  assert.equal(fs.existsSync(mcpJson), false);
  const edit = await toolCall('Edit', { file_path: inside, old_string: 'a', new_string: 'b' });
  assert.ok(edit.asked, 'Always allow for Write does not cover Edit');
});
