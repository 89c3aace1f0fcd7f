// The agent's controls on the real CLI and the scripted model: model and permission mode per
// session (create, set_session_options, kept on resume, pool processes), plan approval and
// AskUserQuestion through the permission flow, the slash palette's list, fork and rewind files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HistoryMessage } from '../src/protocol/messages.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { TestClient } from './helpers/ws-client.js';

let h: Harness;
let c: TestClient;
before(async () => {
  // a pool of one: sessions created with other options take a default process and set them
  h = await startHarness({ PERMISSION_MODE: 'default', PREWARM_POOL_SIZE: '1' });
  c = await h.client();
});
after(() => h.close());

/** Creates a session over WebSocket with options and returns its id. */
async function create(opts: Record<string, unknown> = {}): Promise<string> {
  c.send({ type: 'create_session', ...opts });
  return (await c.next('session_ready', undefined, 60_000)).session_id;
}

async function historyOf(id: string): Promise<HistoryMessage[]> {
  const other = await h.client();
  other.send({ type: 'switch_session', session_id: id });
  const hist = await other.next('session_history', (f) => f.session_id === id);
  await other.close();
  // the switch made `other` the watcher: take the session back
  c.send({ type: 'switch_session', session_id: id });
  await c.next('session_history', (f) => f.session_id === id);
  return hist.messages;
}

describe('model and permission mode', () => {
  test('GET /api/v1/models lists what the CLI offers (not a fixed list)', async () => {
    const r = await h.api('GET', '/api/v1/models');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const values = (r.body.models as { value: string }[]).map((m) => m.value);
    assert.ok(values.includes('haiku') && values.includes('sonnet'), JSON.stringify(values));
    assert.equal((await h.api('GET', '/api/v1/models', undefined, null)).status, 401);
  });

  test('create with a model and mode: a pool process gets them before the first message', async () => {
    const id = await create({ model: 'haiku', permission_mode: 'acceptEdits' });
    const listed = (await h.api('GET', `/api/v1/sessions/${id}`)).body;
    assert.equal(listed.model, 'haiku');
    assert.equal(listed.permission_mode, 'acceptEdits');
    await c.turn(id, 'say: hello haiku');
    assert.match(
      h.model
        .requestsFor(id)
        .filter((r) => r.stream)
        .at(-1)?.model ?? '',
      /haiku/,
    );
  });

  test('set_session_options between turns: applied live, announced, stored and used again on resume', async () => {
    const id = await create();
    await c.turn(id, 'say: first');
    assert.doesNotMatch(
      h.model
        .requestsFor(id)
        .filter((r) => r.stream)
        .at(-1)?.model ?? '',
      /sonnet/,
    );
    c.send({ type: 'set_session_options', session_id: id, model: 'sonnet', permission_mode: 'plan' });
    const upd = await c.next('session_updated', (f) => f.session.session_id === id && f.session.model === 'sonnet');
    assert.equal(upd.session.permission_mode, 'plan');
    await c.turn(id, 'say: second');
    const req = h.model
      .requestsFor(id)
      .filter((r) => r.stream)
      .at(-1);
    assert.match(req?.model ?? '', /sonnet/);
    assert.match(req?.system + JSON.stringify(req?.body.messages), /Plan mode is active/);
    // after the process is gone, the resumed one starts with the stored choices
    assert.equal((await h.api('DELETE', `/api/v1/sessions/${id}`)).status, 200);
    await c.turn(id, 'say: third');
    const resumed = h.model
      .requestsFor(id)
      .filter((r) => r.stream)
      .at(-1);
    assert.match(resumed?.model ?? '', /sonnet/);
    assert.match(resumed?.system + JSON.stringify(resumed?.body.messages), /Plan mode is active/);
  });

  test('refused: during a turn, an unknown model, bypassPermissions on a server that does not allow it', async () => {
    const id = await create();
    h.model.enqueue(id, { kind: 'hang' });
    c.send({ type: 'user_message', session_id: id, text: 'hold on' });
    await c.next('turn_started', (f) => f.session_id === id);
    c.send({ type: 'set_session_options', session_id: id, model: 'haiku' });
    assert.equal((await c.next('error')).code, 'query_in_progress');
    c.send({ type: 'interrupt', session_id: id });
    await c.next('stream_interrupted', (f) => f.session_id === id);
    c.send({ type: 'set_session_options', session_id: id, model: 'no-such-model' });
    const unknown = await c.next('error');
    assert.equal(unknown.code, 'invalid_message');
    assert.match(unknown.message, /Unknown model: no-such-model/);
    c.send({ type: 'set_session_options', session_id: id, permission_mode: 'bypassPermissions' });
    const bypass = await c.next('error');
    assert.equal(bypass.code, 'mode_not_allowed');
    assert.match(bypass.message, /PERMISSION_MODE=default/);
    const rest = await h.api('POST', '/api/v1/sessions', { permission_mode: 'bypassPermissions' });
    assert.equal(rest.status, 403);
    assert.equal(rest.body.error, 'mode_not_allowed');
    const badField = await h.api('POST', '/api/v1/sessions', { permission_mode: 'yolo' });
    assert.equal(badField.status, 400);
    assert.match(badField.body.message, /permission_mode/);
    c.send({ type: 'set_session_options', session_id: '00000000-0000-4000-8000-000000000000', model: 'haiku' });
    assert.equal((await c.next('error')).code, 'session_not_found');
  });
});

describe('plans and questions', () => {
  test('AskUserQuestion: the question reaches the user and the answer reaches the model', async () => {
    const id = await create();
    const question = 'Which colour should the button be?';
    h.model.enqueue(id, {
      kind: 'tool_use',
      name: 'AskUserQuestion',
      input: {
        questions: [
          {
            question,
            header: 'Colour',
            multiSelect: false,
            options: [
              { label: 'Blue', description: 'calm' },
              { label: 'Red', description: 'loud' },
            ],
          },
        ],
      },
    });
    c.send({ type: 'user_message', session_id: id, text: 'ask me' });
    const req = await c.next('permission_request', (f) => f.session_id === id);
    assert.equal(req.tool, 'AskUserQuestion');
    assert.equal((req.input.questions as { question: string }[])[0]?.question, question);
    c.send({ type: 'permission_response', request_id: req.request_id, decision: 'allow', answers: { [question]: 'Green, please' } });
    await c.next('response_complete', (f) => f.session_id === id);
    const result = h.model
      .requestsFor(id)
      .filter((r) => r.stream)
      .at(-1)?.toolResults[0];
    assert.equal(result?.is_error, false);
    assert.match(result?.content ?? '', /Green, please/);
  });

  test('ExitPlanMode: the plan is shown; keep planning tells the agent why; approve leaves plan mode', async () => {
    const id = await create({ permission_mode: 'plan' });
    const plan = '# The plan\n\n1. Read the code\n2. Change it';
    h.model.enqueue(id, { kind: 'tool_use', name: 'ExitPlanMode', input: {}, text: plan });
    c.send({ type: 'user_message', session_id: id, text: 'make a plan' });
    const req = await c.next('permission_request', (f) => f.session_id === id);
    assert.equal(req.tool, 'ExitPlanMode');
    assert.equal(req.input.plan, plan);
    c.send({ type: 'permission_response', request_id: req.request_id, decision: 'deny', message: 'Add a test step.' });
    await c.next('response_complete', (f) => f.session_id === id);
    const denied = h.model
      .requestsFor(id)
      .filter((r) => r.stream)
      .at(-1)?.toolResults[0];
    assert.equal(denied?.is_error, true);
    assert.match(denied?.content ?? '', /keep planning/);
    assert.match(denied?.content ?? '', /Add a test step\./);

    h.model.enqueue(id, { kind: 'tool_use', name: 'ExitPlanMode', input: {}, text: `${plan}\n3. Test it` });
    c.send({ type: 'user_message', session_id: id, text: 'plan again' });
    const req2 = await c.next('permission_request', (f) => f.session_id === id);
    c.send({ type: 'permission_response', request_id: req2.request_id, decision: 'allow' });
    const upd = await c.next('session_updated', (f) => f.session.session_id === id && f.session.permission_mode === 'default');
    assert.equal(upd.session.permission_mode, 'default');
    await c.next('response_complete', (f) => f.session_id === id);
    const approved = h.model
      .requestsFor(id)
      .filter((r) => r.stream)
      .at(-1)?.toolResults[0];
    assert.equal(approved?.is_error, false);
    assert.match(approved?.content ?? '', /approved/i);
  });
});

describe('slash palette', () => {
  test("GET /api/v1/commands: the project's commands and skills, then the CLI's own", async () => {
    fs.mkdirSync(path.join(h.projectDir, 'commands'), { recursive: true });
    fs.writeFileSync(path.join(h.projectDir, 'commands', 'deploy-docs.md'), '---\ndescription: Publish the docs\n---\nPublish the docs.');
    const r = await h.api('GET', '/api/v1/commands');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const cmds = r.body.commands as { name: string; description: string; source: string }[];
    const mine = cmds.find((x) => x.name === 'deploy-docs');
    assert.equal(mine?.source, 'project');
    assert.equal(mine?.description, 'Publish the docs');
    assert.ok(
      cmds.some((x) => x.source === 'cli' && x.name === 'init'),
      'the CLI offers /init',
    );
    assert.equal((await h.api('GET', '/api/v1/commands', undefined, null)).status, 401);
  });
});

describe('fork and rewind', () => {
  test('fork keeps the conversation (the original unchanged); fork at a message drops it and what followed', async () => {
    const id = await create();
    await c.turn(id, 'say: alpha answer');
    const second = await c.turn(id, 'say: beta answer');
    const started = second.frames.find((f) => f.type === 'turn_started');
    const hist = await historyOf(id);
    const users = hist.filter((m) => m.type === 'user');
    assert.equal(users.length, 2);
    assert.ok(
      users.every((u) => u.type === 'user' && u.message_id),
      'user entries carry their message_id',
    );
    const betaId = users[1]?.type === 'user' ? users[1].message_id : undefined;
    assert.equal(started?.type === 'turn_started' ? started.message_id : undefined, betaId, 'turn_started names the same id');

    const whole = await h.api('POST', `/api/v1/sessions/${id}/fork`);
    assert.equal(whole.status, 201, JSON.stringify(whole.body));
    const forkId = whole.body.session_id as string;
    assert.notEqual(forkId, id);
    await c.turn(forkId, 'say: in the fork');
    const forkReq = h.model
      .requestsFor(forkId)
      .filter((r) => r.stream)
      .at(-1);
    assert.deepEqual(forkReq?.userTexts.slice(-3), ['say: alpha answer', 'say: beta answer', 'say: in the fork']);
    assert.equal((await historyOf(id)).filter((m) => m.type === 'user').length, 2, 'the original is unchanged');

    const at = await h.api('POST', `/api/v1/sessions/${id}/fork`, { message_id: betaId });
    assert.equal(at.status, 201, JSON.stringify(at.body));
    await c.turn(at.body.session_id, 'say: another way');
    const atReq = h.model
      .requestsFor(at.body.session_id)
      .filter((r) => r.stream)
      .at(-1);
    assert.deepEqual(atReq?.userTexts.slice(-2), ['say: alpha answer', 'say: another way']);
    assert.ok(!atReq?.userTexts.includes('say: beta answer'), 'the later turn is gone');

    const forked = (await h.api('GET', `/api/v1/audit?action=session.forked&session_id=${at.body.session_id}`)).body.entries;
    assert.equal(forked.length, 1, 'the fork is in the audit log');
    assert.deepEqual(forked[0].detail, { from_session_id: id, message_id: betaId });
    assert.equal((await h.api('POST', `/api/v1/sessions/${id}/fork`, { message_id: '00000000-0000-4000-8000-000000000000' })).status, 400);
    assert.equal((await h.api('POST', '/api/v1/sessions/00000000-0000-4000-8000-000000000000/fork')).status, 404);
  });

  test('rewind files: a preview, then the file the agent wrote after the message is restored', async () => {
    const file = path.join(h.projectDir, 'notes.txt');
    fs.writeFileSync(file, 'original\n');
    const id = await create({ permission_mode: 'acceptEdits' });
    await c.turn(id, 'say: nothing changes yet');
    h.model.enqueue(
      id,
      { kind: 'tool_use', name: 'Read', input: { file_path: file } },
      { kind: 'tool_use', name: 'Write', input: { file_path: file, content: 'changed by the agent\n' } },
      { kind: 'text', text: 'done' },
    );
    const t = await c.turn(id, 'change the notes');
    const started = t.frames.find((f) => f.type === 'turn_started');
    const mid = started?.type === 'turn_started' ? started.message_id : undefined;
    assert.ok(mid);
    assert.equal(fs.readFileSync(file, 'utf8'), 'changed by the agent\n');

    const preview = await h.api('POST', `/api/v1/sessions/${id}/rewind`, { message_id: mid, dry_run: true });
    assert.equal(preview.status, 200, JSON.stringify(preview.body));
    assert.equal(preview.body.can_rewind, true);
    assert.equal(preview.body.dry_run, true);
    assert.ok(
      (preview.body.files_changed as string[]).some((f) => f.endsWith('notes.txt')),
      JSON.stringify(preview.body),
    );
    assert.equal(fs.readFileSync(file, 'utf8'), 'changed by the agent\n', 'a preview changes nothing');

    const done = await h.api('POST', `/api/v1/sessions/${id}/rewind`, { message_id: mid });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.can_rewind, true);
    assert.equal(fs.readFileSync(file, 'utf8'), 'original\n');
    const rewound = (await h.api('GET', `/api/v1/audit?action=session.rewound&session_id=${id}`)).body.entries;
    assert.equal(rewound.length, 1, 'the rewind is in the audit log (the preview is not)');
    assert.equal(rewound[0].detail.outcome, 'restored');
    assert.equal(rewound[0].detail.message_id, mid);

    assert.equal((await h.api('POST', `/api/v1/sessions/${id}/rewind`, { dry_run: true })).status, 400);
    assert.equal((await h.api('POST', '/api/v1/sessions/00000000-0000-4000-8000-000000000000/rewind', { message_id: mid })).status, 404);
  });
});

describe('ownership', () => {
  test("another user gets session_not_found for every control of someone else's session", async () => {
    const id = await create({ permission_mode: 'plan' });
    const t = await c.turn(id, 'say: mine');
    const started = t.frames.find((f) => f.type === 'turn_started');
    const mid = started?.type === 'turn_started' ? started.message_id : undefined;
    const member = await h.api('POST', '/api/v1/users', { name: 'mallory', role: 'member' });
    assert.equal(member.status, 201, JSON.stringify(member.body));
    const token = member.body.token as string;
    // REST: the same 404 as an unknown session
    const fork = await h.api('POST', `/api/v1/sessions/${id}/fork`, {}, token);
    assert.equal(fork.status, 404);
    assert.deepEqual(fork.body, { error: 'not_found', message: 'Session not found' });
    const rewind = await h.api('POST', `/api/v1/sessions/${id}/rewind`, { message_id: mid, dry_run: true }, token);
    assert.equal(rewind.status, 404);
    // WebSocket: set_session_options and the answer to the owner's plan
    const m = await TestClient.connect(h.wsUrl, token);
    await m.next('session_list');
    m.send({ type: 'set_session_options', session_id: id, model: 'haiku' });
    const e = await m.next('error');
    assert.equal(e.code, 'session_not_found');
    assert.equal(e.session_id, id);
    h.model.enqueue(id, { kind: 'tool_use', name: 'ExitPlanMode', input: {}, text: '# Owner plan' });
    c.send({ type: 'user_message', session_id: id, text: 'plan' });
    const req = await c.next('permission_request', (f) => f.session_id === id);
    m.send({ type: 'permission_response', request_id: req.request_id, decision: 'allow' });
    assert.equal((await m.next('error')).code, 'invalid_message', 'as for an unknown request');
    await m.close();
    // the owner's plan is still waiting for the owner, in plan mode
    assert.equal((await h.api('GET', `/api/v1/sessions/${id}`)).body.permission_mode, 'plan');
    c.send({ type: 'permission_response', request_id: req.request_id, decision: 'deny' });
    await c.next('response_complete', (f) => f.session_id === id);
  });
});
