// Project extensions (mcp.json, commands/, skills/ in PROJECT_DIR) reach the real CLI: MCP tools, commands, skills; hot reload; broken files.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type Harness, startHarness } from './helpers/harness.js';

let h: Harness;
const MCP_SERVER = path.resolve(import.meta.dirname, 'fixtures/mcp-test-server.mjs');

function write(rel: string, text: string) {
  const f = path.join(h.projectDir, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
}

before(async () => {
  h = await startHarness();
  write(
    'mcp.json',
    JSON.stringify({ mcpServers: { testdb: { command: process.execPath, args: [MCP_SERVER], env: { TESTDB_TOKEN: 'super-secret' } } } }),
  );
  write('commands/deploy.md', '---\ndescription: Deploy the app\n---\nDeploy the application to $ARGUMENTS now, carefully.\n');
  write(
    'skills/code-review/SKILL.md',
    '---\nname: code-review\ndescription: Reviews code for bugs and style issues\n---\n# Code review\nLook closely.\n',
  );
  write('skills/broken/SKILL.md', '---\nname: [unclosed\n---\nbody\n');
  write('skills/no-front-matter/SKILL.md', '# nothing here\n');
});
after(async () => {
  await h.close();
});

test('GET /api/v1/extensions lists servers (secrets masked), skills and commands; needs the key', async () => {
  const r = await h.api('GET', '/api/v1/extensions');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.mcp_servers.testdb, { command: process.execPath, args: [MCP_SERVER], env: { TESTDB_TOKEN: '********' } });
  assert.deepEqual(r.body.skills, [
    { name: 'code-review', path: './skills/code-review/SKILL.md', description: 'Reviews code for bugs and style issues' },
  ]);
  assert.deepEqual(r.body.commands, [{ name: 'deploy', path: './commands/deploy.md', description: 'Deploy the app' }]);
  assert.equal((await h.api('GET', '/api/v1/extensions', undefined, null)).status, 401);
});

test('an MCP tool from mcp.json is callable by the model: tool_use and tool_result frames', async () => {
  const c = await h.client();
  const id = await c.createSession();
  h.model.enqueue(id, { kind: 'tool_use', name: 'mcp__testdb__count_users', input: { since: '2026-10-01' } });
  const r = await c.turn(id, 'How many active users last month?', 60_000);
  const use = r.frames.find((f) => f.type === 'tool_use');
  const result = r.frames.find((f) => f.type === 'tool_result');
  assert.ok(use?.type === 'tool_use' && use.tool === 'mcp__testdb__count_users');
  assert.ok(result?.type === 'tool_result');
  assert.equal(result.status, 'success', JSON.stringify(result));
  assert.deepEqual(result.result, { count: 45231, since: '2026-10-01', secret: 'set' });
  const firstReq = h.model.requestsFor(id)[0];
  assert.ok(JSON.stringify(firstReq?.body).includes('count_users'), 'the MCP tool is offered to the model');

  h.model.enqueue(id, { kind: 'tool_use', name: 'mcp__testdb__fail', input: {} });
  const r2 = await c.turn(id, 'now fail');
  const bad = r2.frames.find((f) => f.type === 'tool_result');
  assert.ok(bad?.type === 'tool_result');
  assert.equal(bad.status, 'error');
  assert.match(String(bad.result.error), /Connection refused/);
});

test('/<command> args expands the command file with $ARGUMENTS before the model sees it; history shows what was typed', async () => {
  const c = await h.client();
  const id = await c.createSession();
  h.model.enqueue(id, { kind: 'text', text: 'Deploying.' });
  await c.turn(id, '/deploy staging');
  const req = h.model.requestsFor(id).at(-1);
  assert.match(req?.lastUserText ?? '', /Deploy the application to staging now, carefully\./);
  const other = await h.client();
  other.send({ type: 'switch_session', session_id: id });
  const hist = await other.next('session_history');
  const users = hist.messages.filter((m) => m.type === 'user').map((m) => (m as { text: string }).text);
  assert.deepEqual(users, ['/deploy staging']);
});

test('a skill reaches the model; malformed SKILL.md files are skipped', async () => {
  const c = await h.client();
  const id = await c.createSession();
  h.model.enqueue(id, { kind: 'text', text: 'ok' });
  await c.turn(id, 'hello');
  const body = JSON.stringify(h.model.requestsFor(id).at(-1)?.body);
  assert.ok(body.includes('Reviews code for bugs and style issues'), 'the skill is offered');
  assert.ok(!body.includes('no-front-matter'), 'a skill without front matter is not');
});

test('a skill added while the server runs is seen by the next session', async () => {
  write('skills/release-notes/SKILL.md', '---\nname: release-notes\ndescription: Writes release notes from the git log\n---\nbody\n');
  const c = await h.client();
  const id = await c.createSession();
  h.model.enqueue(id, { kind: 'text', text: 'ok' });
  await c.turn(id, 'hello again');
  assert.ok(JSON.stringify(h.model.requestsFor(id).at(-1)?.body).includes('Writes release notes from the git log'));
  const ext = await h.api('GET', '/api/v1/extensions');
  assert.deepEqual(
    ext.body.skills.map((s: { name: string }) => s.name),
    ['code-review', 'release-notes'],
  );
});

test('a broken mcp.json keeps skills, commands and sessions working', async () => {
  for (const bad of ['{"mcpServers": {', '{"mcpServers": {"x": {"args": 5}}}', '[]']) {
    write('mcp.json', bad);
    const ext = await h.api('GET', '/api/v1/extensions');
    assert.deepEqual(ext.body.mcp_servers, {});
    assert.equal(ext.body.commands.length, 1);
  }
  const c = await h.client();
  const id = await c.createSession();
  h.model.enqueue(id, { kind: 'text', text: 'still answering' });
  const r = await c.turn(id, '/deploy prod');
  assert.equal(r.text, 'still answering');
  assert.match(h.model.requestsFor(id).at(-1)?.lastUserText ?? '', /Deploy the application to prod/);
});

test('PROJECT_DIR is never written to', () => {
  const entries = fs.readdirSync(h.projectDir).sort();
  assert.deepEqual(entries, ['commands', 'mcp.json', 'skills']);
});
