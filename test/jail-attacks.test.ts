// Issue 17's attacks 2-8, tried as an attacker would: one member on the team defaults
// (WORKSPACES=per-user, the Bash sandbox on, PERMISSION_MODE=default) who clicks Allow on
// every prompt of her own sessions. Real server, real CLI, real bubblewrap; only the model
// is scripted. The data folder lies inside PROJECT_DIR, as with the defaults.
// ATTACK_AGENT_JAIL=off runs the same attacks without the jail: they then succeed (the
// assertions fail), which is how each test is shown to test its wall.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { jailUnavailable } from '../src/core/jail/jail-probe.js';
import type { ServerFrame } from '../src/protocol/messages.js';
import { type Harness, startHarness, tempDir } from './helpers/harness.js';
import { createUser, type TestUser } from './helpers/users.js';
import type { TestClient } from './helpers/ws-client.js';

const NO_JAIL = jailUnavailable();
const JAIL = process.env.ATTACK_AGENT_JAIL ?? 'on';
type ToolResult = Extract<ServerFrame, { type: 'tool_result' }>;

/** The member's answer to her own prompts: always Allow. */
function allowOwnPrompts(c: TestClient): void {
  c.ws.on('message', (data) => {
    const f = JSON.parse(data.toString()) as ServerFrame;
    if (f.type === 'permission_request') c.send({ type: 'permission_response', request_id: f.request_id, decision: 'allow' });
  });
}

interface Member {
  user: TestUser;
  c: TestClient;
  session: string;
  /** Her workspace (PROJECT_DIR/users/<id>). */
  home: string;
}

describe('a member who allows her own prompts reaches only her jail', { skip: NO_JAIL ?? false }, () => {
  let h: Harness;
  let alice: Member;
  let bob: Member;

  async function member(name: string): Promise<Member> {
    const user = await createUser(h, name);
    const c = await user.client();
    allowOwnPrompts(c);
    const session = await c.createSession();
    return { user, c, session, home: path.join(h.projectDir, 'users', user.user_id) };
  }

  async function tool(m: Member, name: string, input: Record<string, unknown>): Promise<{ ok: boolean; out: string }> {
    h.model.enqueue(m.session, { kind: 'tool_use', name, input });
    const r = await m.c.turn(m.session, `use ${name}`, 120_000);
    const res = r.frames.find((f) => f.type === 'tool_result') as ToolResult | undefined;
    assert.ok(res, `${name}: a tool_result frame`);
    const out = typeof res.result.output === 'string' ? res.result.output : JSON.stringify(res.result);
    return { ok: res.status === 'success', out };
  }
  const bash = (m: Member, command: string) => tool(m, 'Bash', { command, description: 'probe' });

  before(async () => {
    const dir = tempDir('csp-jail-');
    h = await startHarness(
      {
        WORKSPACES: 'per-user',
        SANDBOX: 'on',
        AGENT_JAIL: JAIL,
        PERMISSION_MODE: 'default',
        // As with the defaults: the data folder inside the project.
        DATABASE_URL: `sqlite:///${path.join(dir, 'project', 'data', 'sessions.db')}`,
      },
      { dir },
    );
    alice = await member('alice');
    bob = await member('bob');
  });
  after(async () => {
    await alice?.user.close();
    await bob?.user.close();
    await h?.close();
  });

  /** Bob's transcript on the host (his config folder under the data folder). */
  function bobTranscript(): string {
    const root = path.join(h.projectDir, 'data', 'claude-config');
    const roots = [root, h.env.CLAUDE_CONFIG_DIR as string].filter((d) => fs.existsSync(d));
    const found = execFileSync('find', [...roots, '-name', `${bob.session}.jsonl`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
    assert.equal(found.length, 1, `one transcript of bob's session: ${found.join(', ')}`);
    return found[0] as string;
  }

  test("attack 2: the generated plugin cannot be given a hook, and the server's /proc is not there", async () => {
    // A project skill makes the server generate its plugin (in the data folder).
    fs.mkdirSync(path.join(h.projectDir, 'skills', 'review'), { recursive: true });
    fs.writeFileSync(path.join(h.projectDir, 'skills', 'review', 'SKILL.md'), '---\nname: review\ndescription: Reviews\n---\nReview.\n');
    const plugin = h.built.loader.loadOptions().options.plugins?.[0]?.path as string;
    assert.ok(plugin && fs.existsSync(plugin), 'the generated plugin exists');
    const s2 = await alice.c.createSession();
    const m = { ...alice, session: s2 };
    const hooks = path.join(plugin, 'hooks', 'hooks.json');
    const hook = JSON.stringify({ hooks: { SessionStart: [{ hooks: [{ type: 'command', command: 'touch /tmp/pwned' }] }] } });
    await tool(m, 'Write', { file_path: hooks, content: hook });
    await bash(m, `mkdir -p ${path.dirname(hooks)} && echo '${hook}' > ${hooks}`);
    assert.equal(fs.existsSync(hooks), false, 'no hooks.json in the generated plugin');
    // The server's process (this test process) is not in the jail's /proc.
    const proc = await bash(m, `cat /proc/${process.pid}/cmdline | tr '\\0' ' '; ls /proc/${process.pid}/environ`);
    assert.doesNotMatch(proc.out, /node|tsx|--test/, "the server's command line is not readable");
    const environ = await tool(m, 'Read', { file_path: `/proc/${process.pid}/environ` });
    assert.doesNotMatch(environ.out, /CLAUDE_SDK_PATTERN|PATH=/, "the server's environment is not readable");
    // The jail's environment is the allowlist: no platform variable in it.
    const env = await bash(m, 'env; cat /proc/1/environ | tr "\\0" "\\n"');
    assert.doesNotMatch(env.out, /CLAUDE_SDK_PATTERN_API_KEY|test-key-0123456789/);
  });

  test("attack 3: Read does not return another user's transcript", async () => {
    bob.c.send({ type: 'user_message', session_id: bob.session, text: 'bob-secret-plan-4711' });
    await bob.c.next('response_complete', (f) => f.session_id === bob.session, 120_000);
    const file = bobTranscript();
    assert.match(fs.readFileSync(file, 'utf8'), /bob-secret-plan-4711/);
    const r = await tool(alice, 'Read', { file_path: file });
    assert.doesNotMatch(r.out, /bob-secret-plan-4711/);
    const g = await tool(alice, 'Grep', { pattern: 'bob-secret-plan-4711', path: path.dirname(path.dirname(path.dirname(file))) });
    assert.ok(!g.out.includes(bob.session), g.out);
    const b = await bash(alice, `grep -rl bob-secret-plan-4711 ${h.dir} 2>/dev/null; echo done`);
    assert.ok(!b.out.includes(bob.session), b.out);
  });

  test('attack 4: a symlink to the database in her folder reads nothing', async () => {
    const db = h.built.config.databasePath;
    await bash(alice, `ln -sf ${db} ${path.join(alice.home, 'notes.txt')}; ls -la ${alice.home}`);
    const r = await tool(alice, 'Read', { file_path: path.join(alice.home, 'notes.txt') });
    assert.doesNotMatch(r.out, /SQLite format 3|CREATE TABLE|bob-secret/);
    const direct = await tool(alice, 'Read', { file_path: db });
    assert.doesNotMatch(direct.out, /SQLite format 3|CREATE TABLE/);
    // Her own symlink does not make the server read the database either (her history stays hers).
    const page = await alice.user.api('GET', `/api/v1/sessions/${alice.session}/export`);
    assert.doesNotMatch(JSON.stringify(page.body), /SQLite format 3/);
  });

  test("attack 5: the CLI's login in the configured config folder is out of reach", async () => {
    const creds = path.join(h.env.CLAUDE_CONFIG_DIR as string, '.credentials.json');
    fs.mkdirSync(path.dirname(creds), { recursive: true });
    fs.writeFileSync(creds, '{"claudeAiOauth":{"accessToken":"sk-ant-oat-login-secret-9182"}}', { mode: 0o600 });
    const r = await tool(alice, 'Read', { file_path: creds });
    assert.doesNotMatch(r.out, /login-secret-9182/);
    const b = await bash(alice, `cat ${creds}; echo done`);
    assert.doesNotMatch(b.out, /login-secret-9182/);
  });

  test("attack 6: Edit cannot rewrite another user's transcript", async () => {
    // Self-contained: bob's transcript holds a line of his own, whichever tests ran before.
    bob.c.send({ type: 'user_message', session_id: bob.session, text: 'bob-edit-target-6060' });
    await bob.c.next('response_complete', (f) => f.session_id === bob.session, 120_000);
    const file = bobTranscript();
    const before = fs.readFileSync(file, 'utf8');
    assert.match(before, /bob-edit-target-6060/);
    // Edit needs the file read first in the same CLI process. A plain Read of a transcript is
    // cut at the token cap and counts as a partial view (Edit then answers "File has not been
    // read yet"), so she reads a few lines with an explicit offset/limit, and edits in the
    // next turn. Without the jail this Edit succeeds; with it, the file is not there.
    await tool(alice, 'Read', { file_path: file, offset: 1, limit: 3 });
    await tool(alice, 'Edit', {
      file_path: file,
      old_string: 'bob-edit-target-6060',
      new_string: 'alice-injected-text',
      replace_all: true,
    });
    await bash(alice, `sed -i s/bob-edit-target-6060/alice-injected-text/ ${file}; echo done`);
    const history = await bob.user.api('GET', `/api/v1/sessions/${bob.session}/export`);
    assert.doesNotMatch(JSON.stringify(history.body), /alice-injected-text/, "bob's export does not show her text");
    assert.ok(fs.readFileSync(file, 'utf8') === before, "bob's transcript is unchanged");
  });

  test("attack 7: /tmp is each session's own: another user's temp files are not there", async () => {
    // Bob's command output is kept in the CLI's temp folder (/tmp/claude-<uid>/<project>/<session>/tasks).
    await bash(bob, 'echo bob-tmp-secret-5150');
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    bob.c.send({
      type: 'user_message',
      session_id: bob.session,
      text: 'look at this image',
      attachments: [{ name: 'bob-private.png', media_type: 'image/png', data: png.toString('base64') }],
    });
    await bob.c.next('response_complete', (f) => f.session_id === bob.session, 120_000);
    const r = await bash(alice, 'grep -rl "bob-tmp-$(echo secret)-5150" /tmp 2>/dev/null; find /tmp -name "*.png" 2>/dev/null; echo done');
    assert.ok(!r.out.includes(bob.session), r.out);
    assert.doesNotMatch(r.out, /\.png/);
  });

  test('attack 8 / item 4: no phantom files; git init, add -A and commit work in her folder', async () => {
    const r = await bash(
      alice,
      'rm -f notes.txt; echo hello > hello.txt; ls -la; git init -q && git add -A && git -c user.name=A -c user.email=a@example.com commit -qm first && echo COMMITTED; git ls-files',
    );
    assert.match(r.out, /COMMITTED/, r.out);
    assert.doesNotMatch(r.out, /^c[rwx-]{9}/m, `no character devices listed:\n${r.out}`);
    assert.doesNotMatch(r.out, /\.bashrc|\.gitconfig|\.mcp\.json|\.vscode/, r.out);
  });

  test('item 1: her own folder is writable, the rest of the host read-only, other workspaces and the data folder not there', async () => {
    const r = await bash(
      alice,
      [
        'touch mine.txt && echo OWN_OK',
        `touch ${path.join(h.projectDir, 'x.txt')} 2>/dev/null || echo PROJECT_RO`,
        'touch /usr/x 2>/dev/null || echo HOST_RO',
        `ls ${bob.home} 2>/dev/null | wc -l | sed s/^/BOB_/`,
        `ls -A ${path.join(h.projectDir, 'data')} | tr '\\n' ' ' | sed s/^/DATA_/`,
        `ln -s ${h.built.config.databasePath} escape && (cat escape >/dev/null 2>&1 || echo LINK_DANGLES)`,
      ].join('; '),
    );
    for (const mark of ['OWN_OK', 'PROJECT_RO', 'HOST_RO', 'BOB_0', 'LINK_DANGLES']) assert.match(r.out, new RegExp(mark), r.out);
    assert.doesNotMatch(r.out, /sessions\.db/, 'the database is not listed');
    assert.ok(fs.existsSync(path.join(alice.home, 'mine.txt')));
  });
});
