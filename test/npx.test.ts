// The published shape: `npm pack` output installed into an empty folder, then its bin run the
// way `npx claude-sdk-pattern` or a global install runs it.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ENV_VARIABLES } from '../src/config/config.js';
import { tempDir } from './helpers/harness.js';
import { freePort, waitUntilLive } from './helpers/server-process.js';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };

let dir: string;
let bin: string;
let tarball: string;

before(async () => {
  dir = tempDir('csp-npx-');
  // prepack builds dist/ first, so the tarball always carries a fresh build.
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  tarball = path.join(dir, packed.stdout.trim().split('\n').at(-1) ?? '');
  const app = path.join(dir, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), '{"name":"npx-test","private":true}');
  // From the npm cache where possible. Install scripts are skipped and better-sqlite3's native
  // module is taken from this checkout (same version, same Node): compiling it again costs
  // minutes, and `npm ci` has already proved the compile.
  await run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', tarball], {
    cwd: app,
    maxBuffer: 16 * 1024 * 1024,
  });
  const native = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
  fs.mkdirSync(path.dirname(path.join(app, native)), { recursive: true });
  fs.copyFileSync(path.join(ROOT, native), path.join(app, native));
  bin = path.join(app, 'node_modules/.bin/claude-sdk-pattern');
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm package', () => {
  test('the tarball ships bin and dist, not sources, tests or source maps', async () => {
    const { stdout } = await run('tar', ['tzf', tarball]);
    const files = stdout.trim().split('\n');
    assert.ok(files.includes('package/bin/claude-sdk-pattern.js'));
    assert.ok(files.includes('package/dist/main.js'));
    assert.ok(files.includes('package/dist/web/index.html'));
    for (const f of files) assert.match(f, /^package\/(bin\/|dist\/|package\.json$|README\.md$)/, f);
    assert.ok(!files.some((f) => f.endsWith('.map') || f.endsWith('.ts')));
  });

  test('--version and --help (every environment variable listed)', async () => {
    assert.equal((await run(bin, ['--version'])).stdout.trim(), pkg.version);
    const help = (await run(bin, ['--help'])).stdout;
    for (const v of ENV_VARIABLES) assert.match(help, new RegExp(`^  ${v} `, 'm'), `--help lacks ${v}`);
    await assert.rejects(
      run(bin, ['--bogus']),
      (e: { code?: number; stderr?: string }) => e.code === 2 && /Unknown argument/.test(e.stderr ?? ''),
    );
  });

  test('the bin starts the server from the environment; live; SIGTERM stops it', async () => {
    const port = await freePort();
    const work = path.join(dir, 'work');
    fs.mkdirSync(work);
    const key = 'npx-test-key-0123456789abcdef';
    const child: ChildProcess = spawn(bin, [], {
      cwd: work,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: work,
        PORT: String(port),
        HOST: '127.0.0.1',
        CLAUDE_SDK_PATTERN_API_KEY: key,
        PREWARM_POOL_SIZE: '0',
        CLAUDE_CONFIG_DIR: path.join(work, 'claude'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.stderr?.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      await waitUntilLive(`http://127.0.0.1:${port}`, child, () => out, 60_000);
      const r = await fetch(`http://127.0.0.1:${port}/api/v1/sessions`, { headers: { 'X-API-Key': key } });
      assert.equal(r.status, 200);
      // The default DATABASE_URL is relative to the working folder.
      assert.ok(fs.existsSync(path.join(work, 'data/sessions.db')));
      assert.match(out, /claude-sdk-pattern is running/);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0, out);
  });
});
