// WORKSPACES=per-user against the real server and CLI: each user's agent works in
// PROJECT_DIR/users/<user id> (0700), a resumed session keeps its folder, "Always allow" for
// file tools covers the user's own folder only, and with the sandbox on (bubblewrap) one
// user's Bash can neither read nor write another user's folder.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sandboxUnavailable } from '../src/core/cli/sandbox-probe.js';
import type { ServerFrame } from '../src/protocol/messages.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { TestClient } from './helpers/ws-client.js';

const NO_SANDBOX = sandboxUnavailable();

async function member(h: Harness, name: string): Promise<{ user_id: string; token: string; c: TestClient }> {
  const r = await h.api('POST', '/api/v1/users', { name, role: 'member' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const c = await TestClient.connect(h.wsUrl, r.body.token);
  await c.next('session_list');
  return { user_id: r.body.user_id, token: r.body.token, c };
}

type ToolResult = Extract<ServerFrame, { type: 'tool_result' }>;

async function bash(h: Harness, c: TestClient, id: string, command: string): Promise<string> {
  h.model.enqueue(id, { kind: 'tool_use', name: 'Bash', input: { command, description: 'probe' } });
  const r = await c.turn(id, 'run the probe', 90_000);
  const res = r.frames.find((f) => f.type === 'tool_result') as ToolResult | undefined;
  assert.ok(res, 'a tool_result frame');
  return String(res.result.output ?? JSON.stringify(res.result));
}

describe('per-user workspaces', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ WORKSPACES: 'per-user', SANDBOX: 'off', PREWARM_POOL_SIZE: '1' });
  });
  after(() => h.close());

  test('each user works in their own 0700 folder (cold: no pool); a resume keeps the folder; Always allow covers it only', async () => {
    assert.equal(h.built.pool.depth(), 0, 'no warm processes in PROJECT_DIR');
    const ready = await h.api('GET', '/api/v1/health/ready', undefined, null);
    assert.equal(ready.status, 200, 'ready without a pool to wait for');
    const alice = { c: await h.client() };
    const id = await alice.c.createSession();
    const mine = path.join(h.projectDir, 'users', 'default');
    assert.equal(fs.statSync(mine).mode & 0o777, 0o700);
    assert.equal(fs.statSync(path.join(h.projectDir, 'users')).mode & 0o777, 0o700);
    assert.match(await bash(h, alice.c, id, 'pwd'), new RegExp(`${mine}\\s*$`));
    const created = (await h.api('GET', `/api/v1/audit?session_id=${id}&action=session.created`)).body.entries[0];
    assert.equal(created.detail.source, 'cold');
    assert.equal(created.detail.cwd, mine);
    assert.equal((await h.api('GET', `/api/v1/sessions/${id}`)).body.working_dir, mine, 'the summary names the folder');
    const listed = (await h.api('GET', '/api/v1/sessions')).body.sessions.find((s: { session_id: string }) => s.session_id === id);
    assert.equal(listed?.working_dir, mine, 'and so does the list');

    // The setting changes; the session keeps the folder its transcript belongs to.
    alice.c.send({ type: 'destroy_session', session_id: id });
    await alice.c.next('session_terminated', (f) => f.session_id === id);
    h.built.config.workspaces = 'shared';
    try {
      alice.c.send({ type: 'switch_session', session_id: id });
      await alice.c.next('session_updated', (f) => f.session.session_id === id && f.session.status === 'idle');
      assert.match(await bash(h, alice.c, id, 'pwd'), new RegExp(`${mine}\\s*$`));
    } finally {
      h.built.config.workspaces = 'per-user';
    }

    // "Always allow" for a file tool names the user's folder, not PROJECT_DIR (the session asks first).
    alice.c.send({ type: 'set_session_options', session_id: id, permission_mode: 'default' });
    await alice.c.next('session_updated', (f) => f.session.session_id === id && f.session.permission_mode === 'default');
    h.model.enqueue(id, { kind: 'tool_use', name: 'Write', input: { file_path: path.join(mine, 'a.txt'), content: 'a' } });
    alice.c.send({ type: 'user_message', session_id: id, text: 'write it' });
    const req = await alice.c.next('permission_request', (f) => f.session_id === id);
    assert.match(req.always_allow_scope ?? '', new RegExp(`inside ${mine}`));
    alice.c.send({ type: 'permission_response', request_id: req.request_id, decision: 'deny' });
    await alice.c.next('response_complete', (f) => f.session_id === id);
    h.model.enqueue(id, { kind: 'tool_use', name: 'Write', input: { file_path: path.join(h.projectDir, 'b.txt'), content: 'b' } });
    alice.c.send({ type: 'user_message', session_id: id, text: 'write outside' });
    const out = await alice.c.next('permission_request', (f) => f.session_id === id && f.request_id !== req.request_id);
    assert.equal(out.always_allow_scope, undefined);
    assert.match(out.warning ?? '', /is outside .*approve each call/);
    alice.c.send({ type: 'permission_response', request_id: out.request_id, decision: 'deny' });
    await alice.c.next('response_complete', (f) => f.session_id === id);
    await alice.c.close();
  });
});

describe('per-user workspaces under the sandbox', { skip: NO_SANDBOX ?? false }, () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ WORKSPACES: 'per-user', SANDBOX: 'on' });
  });
  after(() => h.close());

  test("a user's Bash cannot read or write another user's folder; their own works", async () => {
    const alice = await member(h, 'Alice');
    const bob = await member(h, 'Bob');
    // Bob's session starts before Alice's folder exists: no file-tool deny rule names it, so
    // what keeps his Bash out is bubblewrap alone.
    const b = await bob.c.createSession();
    const a = await alice.c.createSession();
    const aliceDir = path.join(h.projectDir, 'users', alice.user_id);
    const bobDir = path.join(h.projectDir, 'users', bob.user_id);

    const own = await bash(h, alice.c, a, 'echo alice-private-words > notes.txt; cat notes.txt');
    assert.match(own, /alice-private-words/, `alice writes and reads her own folder: ${own}`);
    assert.equal(fs.readFileSync(path.join(aliceDir, 'notes.txt'), 'utf8'), 'alice-private-words\n');

    const probe = await bash(
      h,
      bob.c,
      b,
      `cat ${aliceDir}/notes.txt; ls ${aliceDir} | sed 's/^/LS:/'; echo planted > ${aliceDir}/planted.txt; echo ok > ${bobDir}/mine.txt; true`,
    );
    assert.ok(!probe.includes('alice-private-words'), `bob cannot read alice's file: ${probe}`);
    assert.ok(!probe.includes('LS:notes.txt'), `bob cannot list alice's folder: ${probe}`);
    assert.equal(fs.existsSync(path.join(aliceDir, 'planted.txt')), false, "bob cannot write into alice's folder");
    assert.equal(fs.readFileSync(path.join(bobDir, 'mine.txt'), 'utf8'), 'ok\n', 'bob writes his own folder');
    // Nor into the shared PROJECT_DIR around the folders.
    await bash(h, bob.c, b, `echo x > ${h.projectDir}/root.txt; true`);
    assert.equal(fs.existsSync(path.join(h.projectDir, 'root.txt')), false);

    // A session started once Alice's folder exists also has deny rules naming it: the CLI
    // refuses such a command before it runs.
    const b2 = await bob.c.createSession();
    h.model.enqueue(b2, { kind: 'tool_use', name: 'Bash', input: { command: `cat ${aliceDir}/notes.txt`, description: 'probe' } });
    const refused = (await bob.c.turn(b2, 'try again', 90_000)).frames.find((f) => f.type === 'tool_result') as ToolResult | undefined;
    assert.equal(refused?.status, 'error', JSON.stringify(refused));
    assert.ok(!JSON.stringify(refused).includes('alice-private-words'));
    await alice.c.close();
    await bob.c.close();
  });
});
