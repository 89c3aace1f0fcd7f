// The workspace routes against the real server and CLI on a real git repository: what the agent
// wrote (Write, Edit, Bash) is listed, readable and downloadable; changes name the branch and the
// changed files (git's and this session's own); every way out of the working folder is refused;
// another user's session is an unknown one. A second server without git diffs against the
// session's file checkpoints.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Harness, startHarness, tempDir } from './helpers/harness.js';
import { createUser } from './helpers/users.js';
import type { TestClient } from './helpers/ws-client.js';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], { cwd, encoding: 'utf8' }).trim();

/** GET a route with the admin key, raw (status, headers, bytes). */
async function raw(h: Harness, p: string, key = h.key): Promise<{ status: number; headers: Headers; bytes: Buffer }> {
  const res = await fetch(h.url + p, { headers: { 'X-API-Key': key } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

const q = encodeURIComponent;

describe('workspace on a git repository', () => {
  let h: Harness;
  let c: TestClient;
  let id: string;
  let dir: string;
  let project: string;
  before(async () => {
    dir = tempDir();
    project = path.join(dir, 'project');
    fs.mkdirSync(path.join(project, 'src'), { recursive: true });
    fs.writeFileSync(path.join(project, 'README.md'), '# Demo\nold line\nkept\n');
    fs.writeFileSync(path.join(project, 'src', 'app.ts'), 'export const x = 1;\n');
    git(project, 'init', '-q', '-b', 'main');
    git(project, 'add', '.');
    git(project, 'commit', '-q', '-m', 'first');
    // Things that must never be served: the server's files inside PROJECT_DIR, another user's
    // folder, and links that lead out.
    fs.writeFileSync(path.join(dir, 'outside-secret.txt'), 'outside secret\n');
    fs.mkdirSync(path.join(project, 'users', 'bob'), { recursive: true });
    fs.writeFileSync(path.join(project, 'users', 'bob', 'secret.txt'), 'bob secret\n');
    fs.symlinkSync(path.join(dir, 'outside-secret.txt'), path.join(project, 'link-out'));
    fs.symlinkSync(dir, path.join(project, 'dir-out'));
    fs.symlinkSync('README.md', path.join(project, 'link-in'));
    fs.writeFileSync(path.join(project, 'page.html'), '<script>alert(1)</script>\n');
    fs.writeFileSync(path.join(project, 'pic.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n');
    fs.writeFileSync(path.join(project, 'dot.png'), Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    fs.writeFileSync(path.join(project, 'big.log'), Buffer.alloc(6 * 1024 * 1024, 'a'));
    h = await startHarness(
      {
        DATABASE_URL: `sqlite:///${path.join(project, 'data', 'sessions.db')}`,
        CLAUDE_CONFIG_DIR: path.join(project, '.claude-config'),
      },
      { dir },
    );
    c = await h.client();
    id = await c.createSession();
    h.model.enqueue(
      id,
      { kind: 'tool_use', name: 'Write', input: { file_path: path.join(project, 'notes', 'plan.md'), content: 'step one\nstep two\n' } },
      { kind: 'tool_use', name: 'Read', input: { file_path: path.join(project, 'README.md') } },
      {
        kind: 'tool_use',
        name: 'Edit',
        input: { file_path: path.join(project, 'README.md'), old_string: 'old line', new_string: 'new line' },
      },
      { kind: 'text', text: 'done' },
    );
    await c.turn(id, 'write the plan', 90_000);
    await c.turn(id, 'run: echo by bash > bash-made.txt', 90_000);
  });
  after(() => h?.close());

  test('the folder lists folders first, without .git or the server’s files; a file the agent wrote is listed and readable', async () => {
    const top = await h.api('GET', `/api/v1/sessions/${id}/files?path=`);
    assert.equal(top.status, 200, JSON.stringify(top.body));
    const names = top.body.entries.map((e: { name: string }) => e.name);
    for (const hidden of ['.git', 'data', '.claude-config', 'users']) assert.ok(!names.includes(hidden), `${hidden} left out`);
    const dirs = top.body.entries.filter((e: { type: string }) => e.type === 'dir').map((e: { name: string }) => e.name);
    for (const d of ['notes', 'src']) assert.ok(dirs.includes(d), `${d} listed`);
    assert.equal(top.body.entries[0].type, 'dir', 'folders first');
    assert.ok(names.includes('bash-made.txt'), 'the file Bash made');
    assert.equal(top.body.entries.find((e: { name: string }) => e.name === 'link-out').type, 'symlink');

    const page = await h.api('GET', `/api/v1/sessions/${id}/files?path=&limit=2`);
    assert.deepEqual(
      { names: page.body.entries.map((e: { name: string }) => e.name), total: page.body.total, has_more: page.body.has_more },
      { names: names.slice(0, 2), total: names.length, has_more: true },
    );
    const rest = await h.api('GET', `/api/v1/sessions/${id}/files?path=&offset=2&limit=1000`);
    assert.deepEqual(
      rest.body.entries.map((e: { name: string }) => e.name),
      names.slice(2),
    );
    assert.equal(rest.body.has_more, false);
    const notes = await h.api('GET', `/api/v1/sessions/${id}/files?path=notes`);
    assert.deepEqual(
      notes.body.entries.map((e: { name: string; type: string; size: number }) => [e.name, e.type, e.size]),
      [['plan.md', 'file', 18]],
    );
    assert.ok(!Number.isNaN(Date.parse(notes.body.entries[0].modified_at)));

    const body = await raw(h, `/api/v1/sessions/${id}/files/content?path=${q('notes/plan.md')}`);
    assert.equal(body.status, 200);
    assert.equal(body.bytes.toString(), 'step one\nstep two\n');
    assert.equal(body.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(body.headers.get('content-disposition'), 'inline');
    const down = await raw(h, `/api/v1/sessions/${id}/files/content?path=${q('notes/plan.md')}&download=1`);
    assert.equal(down.headers.get('content-disposition'), `attachment; filename="plan.md"; filename*=UTF-8''plan.md`);
    assert.equal((await raw(h, `/api/v1/sessions/${id}/files/content?path=bash-made.txt`)).bytes.toString(), 'by bash\n');
    assert.equal(
      (await raw(h, `/api/v1/sessions/${id}/files/content?path=link-in`)).bytes.toString(),
      '# Demo\nnew line\nkept\n',
      'a link that stays inside',
    );
  });

  test('types are sniffed: HTML and SVG are text/plain in a sandbox; a PNG is an image; past the limit 413', async () => {
    for (const f of ['page.html', 'pic.svg']) {
      const r = await raw(h, `/api/v1/sessions/${id}/files/content?path=${f}`);
      assert.equal(r.headers.get('content-type'), 'text/plain; charset=utf-8', f);
      assert.match(r.headers.get('content-security-policy') ?? '', /sandbox/);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    }
    assert.equal((await raw(h, `/api/v1/sessions/${id}/files/content?path=dot.png`)).headers.get('content-type'), 'image/png');
    const big = await h.api('GET', `/api/v1/sessions/${id}/files/content?path=big.log`);
    assert.equal(big.status, 413);
    assert.equal(big.body.error, 'file_too_large');
    assert.equal((await raw(h, `/api/v1/sessions/${id}/files/content?path=big.log&download=1`)).status, 200, 'a download may be larger');
  });

  test('changes name the branch, the commit and the changed files, with the session’s own marked; a click gives the diff', async () => {
    const r = await h.api('GET', `/api/v1/sessions/${id}/changes`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.is_repository, true);
    assert.equal(r.body.branch, 'main');
    assert.equal(r.body.head, git(project, 'rev-parse', 'HEAD'));
    const by = Object.fromEntries(r.body.files.map((f: { path: string }) => [f.path, f]));
    assert.deepEqual(by['README.md'], { path: 'README.md', status: 'modified', additions: 1, deletions: 1, by_session: true });
    assert.deepEqual(by['notes/plan.md'], { path: 'notes/plan.md', status: 'untracked', additions: 2, deletions: 0, by_session: true });
    assert.equal(by['bash-made.txt']?.status, 'untracked');
    assert.equal(by['bash-made.txt']?.by_session, false, 'Bash leaves no checkpoint');
    assert.ok(
      !r.body.files.some((f: { path: string }) => /^(data|\.claude-config|users)\//.test(f.path)),
      'no server files, no other user’s',
    );

    const d = await h.api('GET', `/api/v1/sessions/${id}/changes/diff?path=README.md`);
    assert.equal(d.status, 200);
    assert.match(d.body.diff, /^-old line$/m);
    assert.match(d.body.diff, /^\+new line$/m);
    const n = await h.api('GET', `/api/v1/sessions/${id}/changes/diff?path=${q('notes/plan.md')}`);
    assert.match(n.body.diff, /^\+step two$/m);
  });

  test('the folder as a zip, streamed: the agent’s files in it, .git and the server’s files not', async () => {
    const z = await raw(h, `/api/v1/sessions/${id}/files/archive`);
    assert.equal(z.status, 200);
    assert.equal(z.headers.get('content-type'), 'application/zip');
    assert.match(z.headers.get('content-disposition') ?? '', /^attachment; filename="project\.zip"/);
    assert.equal(z.bytes.subarray(0, 4).toString('hex'), '504b0304');
    const text = z.bytes.toString('latin1');
    for (const name of ['notes/plan.md', 'src/app.ts', 'bash-made.txt']) assert.ok(text.includes(name), name);
    for (const name of ['.git/', 'data/', 'sessions.db', '.claude-config', 'users/', 'outside secret', 'link-out'])
      assert.ok(!text.includes(name), `${name} left out`);
    const sub = await raw(h, `/api/v1/sessions/${id}/files/archive?path=notes`);
    assert.match(sub.headers.get('content-disposition') ?? '', /filename="notes\.zip"/);
  });

  test('every way out is refused with path_outside_workspace, on every route', async () => {
    const escapes = [
      '../outside-secret.txt',
      'notes/../../outside-secret.txt',
      '/etc/passwd',
      path.join(dir, 'outside-secret.txt'),
      '%2e%2e/outside-secret.txt',
      '%252e%252e%252foutside-secret.txt',
      '..%2foutside-secret.txt',
      '..\\outside-secret.txt',
      'link-out',
      'dir-out/outside-secret.txt',
      'data/sessions.db',
      'data',
      '.claude-config',
      'users/bob/secret.txt',
      '.git/config',
      '~/.bashrc',
    ];
    for (const p of escapes) {
      for (const route of ['files/content', 'files', 'files/archive', 'changes/diff']) {
        const r = await h.api('GET', `/api/v1/sessions/${id}/${route}?path=${q(p)}`);
        assert.equal(r.status, 403, `${route} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
        assert.equal(r.body.error, 'path_outside_workspace', `${route} ${p}`);
      }
    }
    const nul = await h.api('GET', `/api/v1/sessions/${id}/files/content?path=README.md%00.png`);
    assert.equal(nul.body.error, 'path_outside_workspace');
    const missing = await h.api('GET', `/api/v1/sessions/${id}/files/content?path=nothing-here.txt`);
    assert.equal(missing.status, 404);
  });

  test('git in the folder runs nothing the repository asks for (fsmonitor, filters)', async () => {
    const marker = path.join(dir, 'ran.txt');
    const hook = path.join(dir, 'hook.sh');
    fs.writeFileSync(hook, `#!/bin/sh\necho ran >> ${marker}\ncat\n`, { mode: 0o755 });
    git(project, 'config', 'core.fsmonitor', hook);
    git(project, 'config', 'filter.evil.clean', hook);
    git(project, 'config', 'filter.evil.required', 'true');
    fs.writeFileSync(path.join(project, '.gitattributes'), '* filter=evil\n');
    // The index's stat data no longer matches: git must look at the contents.
    fs.utimesSync(path.join(project, 'src', 'app.ts'), new Date(), new Date(Date.now() + 5000));
    const r = await h.api('GET', `/api/v1/sessions/${id}/changes`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await h.api('GET', `/api/v1/sessions/${id}/changes/diff?path=${q('src/app.ts')}`);
    assert.ok(!fs.existsSync(marker), 'no command of the repository ran');
    // The wall is real: plain git does run them.
    execFileSync('git', ['status', '--porcelain'], { cwd: project, env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } });
    assert.ok(fs.existsSync(marker), 'plain git runs the hook (the test can fail)');
    git(project, 'config', '--unset', 'core.fsmonitor');
    git(project, 'config', '--remove-section', 'filter.evil');
    fs.rmSync(path.join(project, '.gitattributes'));
  });

  test("another user's session answers like an unknown one", async () => {
    const bob = await createUser(h, 'Bob');
    for (const route of ['files?path=', 'files/content?path=README.md', 'files/archive', 'changes', 'changes/diff?path=README.md']) {
      const theirs = await bob.api('GET', `/api/v1/sessions/${id}/${route}`);
      const unknown = await bob.api('GET', `/api/v1/sessions/00000000-0000-4000-8000-00000000beef/${route}`);
      assert.equal(theirs.status, 404, route);
      assert.deepEqual(theirs, unknown, route);
    }
    await bob.close();
  });
});

describe('workspace without git', () => {
  let h: Harness;
  let c: TestClient;
  before(async () => {
    h = await startHarness();
    c = await h.client();
  });
  after(() => h?.close());

  test("changes are the session's own, diffed against its first backup", async () => {
    const file = path.join(h.projectDir, 'notes.txt');
    fs.writeFileSync(file, 'original\nsame\n');
    const id = await c.createSession();
    h.model.enqueue(
      id,
      { kind: 'tool_use', name: 'Read', input: { file_path: file } },
      { kind: 'tool_use', name: 'Edit', input: { file_path: file, old_string: 'original', new_string: 'changed' } },
      { kind: 'tool_use', name: 'Write', input: { file_path: path.join(h.projectDir, 'new.txt'), content: 'fresh\n' } },
      { kind: 'text', text: 'done' },
    );
    await c.turn(id, 'change things', 90_000);
    const r = await h.api('GET', `/api/v1/sessions/${id}/changes`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      { is_repository: r.body.is_repository, branch: r.body.branch, head: r.body.head },
      { is_repository: false, branch: null, head: null },
    );
    assert.deepEqual(r.body.files, [
      { path: 'new.txt', status: 'added', additions: 1, deletions: 0, by_session: true },
      { path: 'notes.txt', status: 'modified', additions: 1, deletions: 1, by_session: true },
    ]);
    const d = await h.api('GET', `/api/v1/sessions/${id}/changes/diff?path=notes.txt`);
    assert.match(d.body.diff, /^-original$/m);
    assert.match(d.body.diff, /^\+changed$/m);
    assert.match(d.body.diff, /^ same$/m);
  });
});
