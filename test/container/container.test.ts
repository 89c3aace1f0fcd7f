// The container, proved from outside: build the image on a local stand-in base (base images
// cannot be pulled here), run it with podman, and drive it over HTTP and the WebSocket like a
// user would. Run by `npm run test:container` (podman, runc and mmdebstrap installed).
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort } from '../helpers/server-process.js';
import { TestClient } from '../helpers/ws-client.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
// The project's podman settings (runc, no default ulimits), independent of the machine's.
const PODMAN_ENV = { ...process.env, CONTAINERS_CONF: path.join(ROOT, 'deploy/container/containers.conf') };
const IMAGE = 'localhost/claude-sdk-pattern:test';
const tag = randomBytes(4).toString('hex');
const NAME = `csp-test-${tag}`;
const VOLUME = `csp-test-data-${tag}`;
const KEY = `container-test-key-${randomBytes(12).toString('hex')}`;
const GRACE_SECONDS = 10;

/** Runs podman; resolves with its output, rejects with stderr on failure (unless allowFail). */
function podman(
  args: string[],
  opts: { allowFail?: boolean; timeoutMs?: number } = {},
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    execFile('podman', args, { env: PODMAN_ENV, maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 120_000 }, (e, stdout, stderr) => {
      const code = e ? (typeof e.code === 'number' ? e.code : 1) : 0;
      if (code !== 0 && !opts.allowFail) reject(new Error(`podman ${args.join(' ')} failed (${code}): ${stderr}\n${stdout.slice(-4000)}`));
      else resolve({ code, out: stdout, err: stderr });
    });
  });
}

function log(msg: string): void {
  process.stdout.write(`# container: ${msg}\n`);
}

let port = 0;
let url = '';

async function runContainer(): Promise<number> {
  const t0 = performance.now();
  await podman([
    'run',
    '-d',
    '--name',
    NAME,
    '--network=host',
    // No periodic healthcheck timer (podman needs systemd for it); the test runs it by hand.
    '--health-interval=disable',
    // As locked down as the k8s manifest: read-only root, no capabilities, no privilege gain.
    '--read-only',
    '--tmpfs',
    '/tmp',
    '--cap-drop=ALL',
    '--security-opt=no-new-privileges',
    // The one flag the agent jail needs: without it the runtime's masked /proc entries make the
    // kernel refuse the jail's own /proc (docs/operations.md).
    '--security-opt=unmask=/proc/*',
    '-v',
    `${VOLUME}:/data`,
    '-e',
    `PORT=${port}`,
    '-e',
    `CLAUDE_SDK_PATTERN_API_KEY=${KEY}`,
    '-e',
    `SHUTDOWN_GRACE_SECONDS=${GRACE_SECONDS}`,
    '-e',
    'PREWARM_POOL_SIZE=1',
    IMAGE,
  ]);
  for (;;) {
    const state = (await podman(['inspect', NAME, '--format', '{{.State.Status}}'])).out.trim();
    if (state !== 'running' && state !== 'created') throw new Error(`container ${state}: ${(await podman(['logs', NAME])).err}`);
    try {
      if ((await fetch(`${url}/api/v1/health/live`)).ok) return (performance.now() - t0) / 1000;
    } catch {
      /* not listening yet */
    }
    if (performance.now() - t0 > 90_000)
      throw new Error(`not live within 90 s: ${(await podman(['logs', NAME], { allowFail: true })).out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** podman stop (SIGTERM, then SIGKILL after the timeout); returns the exit code and the time it took. */
async function stopContainer(): Promise<{ exitCode: number; seconds: number; logs: string }> {
  const t0 = performance.now();
  await podman(['stop', '-t', String(GRACE_SECONDS + 20), NAME], { timeoutMs: (GRACE_SECONDS + 60) * 1000 });
  const seconds = (performance.now() - t0) / 1000;
  const exitCode = Number((await podman(['inspect', NAME, '--format', '{{.State.ExitCode}}'])).out.trim());
  const l = await podman(['logs', NAME]);
  await podman(['rm', NAME]);
  return { exitCode, seconds, logs: l.out + l.err };
}

/** Host processes running as the image's user (uid 10001): the server and its CLI children. */
function hostProcessesOfImageUser(): string {
  const r = spawnSync('ps', ['-u', '10001', '-o', 'pid=,args='], { encoding: 'utf8' });
  return r.stdout.trim();
}

before(async () => {
  const base = spawnSync(path.join(ROOT, 'deploy/container/build-base.sh'), {
    env: PODMAN_ENV,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  assert.equal(base.status, 0, 'building the stand-in base failed');
  const baseRef = base.stdout.trim().split('\n').at(-1) ?? '';
  log(`base ${baseRef}`);
  const t0 = performance.now();
  await podman(['build', '--format', 'docker', '--network=host', '--build-arg', `NODE_IMAGE=${baseRef}`, '-t', IMAGE, ROOT], {
    timeoutMs: 40 * 60_000,
  });
  log(`image built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await podman(['volume', 'create', VOLUME]);
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
});

after(async () => {
  await podman(['rm', '-f', '-t', '0', NAME], { allowFail: true });
  await podman(['volume', 'rm', '-f', VOLUME], { allowFail: true });
});

describe('container', () => {
  let sessionId = '';

  test('image size and what is in it', async () => {
    const size = Number((await podman(['image', 'inspect', IMAGE, '--format', '{{.Size}}'])).out.trim());
    log(`image size ${(size / 1e6).toFixed(0)} MB`);
    // Inspection runs as root (du reads every folder) and without the healthcheck timer.
    const inspect = ['run', '--rm', '--network=host', '--health-interval=disable', '--user=0', '--entrypoint'];
    const du = await podman([
      ...inspect,
      'du',
      IMAGE,
      '-sm',
      // du counts a file once, under the first argument that holds it: /usr last is "the rest of /usr".
      '/usr/local/bin/node',
      '/usr/local/include',
      '/app/node_modules',
      '/app/dist',
      '/var',
      '/usr',
    ]);
    for (const line of du.out.trim().split('\n')) log(`  ${line.replace('\t', ' MB ')}`);
    // Only this platform's CLI binary: the other seven would add ~1.5 GB.
    const cli = await podman([...inspect, 'ls', IMAGE, '/app/node_modules/@anthropic-ai']);
    assert.deepEqual(cli.out.trim().split('\n').sort(), ['claude-agent-sdk', 'claude-agent-sdk-linux-x64']);
    assert.ok(size < 1.2e9, `image is ${size} bytes`);
  });

  test('run -> live within 90 s; the healthcheck passes; tini is PID 1 and nothing runs as root', async () => {
    const seconds = await runContainer();
    log(`run -> live in ${seconds.toFixed(2)} s`);
    assert.equal((await podman(['healthcheck', 'run', NAME], { allowFail: true })).code, 0);
    const top = await podman(['top', NAME, 'user', 'pid', 'args']);
    const rows = top.out.trim().split('\n').slice(1);
    assert.ok(
      rows.some((r) => /\s1\s+\/usr\/bin\/tini/.test(r)),
      top.out,
    );
    assert.ok(
      rows.some((r) => r.includes('node dist/main.js')),
      top.out,
    );
    for (const r of rows) assert.match(r, /^csp\s/, `a process runs as another user: ${r}`);
    assert.equal((await podman(['exec', NAME, 'id', '-u'])).out.trim(), '10001');
    assert.match((await podman(['exec', NAME, 'bwrap', '--version'])).out, /bubblewrap/);
    // The data folder (database, config folders, attachments) is the server user's alone.
    assert.equal((await podman(['exec', NAME, 'stat', '-c', '%a %U', '/data'])).out.trim(), '700 csp');
  });

  test('a chat turn on the demo model over the WebSocket', async () => {
    const c = await TestClient.connect(`ws://127.0.0.1:${port}/ws/v1/chat`, KEY);
    await c.next('session_list');
    sessionId = await c.createSession();
    const { text } = await c.turn(sessionId, 'hello from outside the container', 60_000);
    assert.match(text, /demo model/);
    assert.deepEqual(c.invalid, []);
    await c.close();
  });

  test('a Bash turn runs inside the agent jail: no server process, no database', async () => {
    const logs = await podman(['logs', NAME]);
    assert.match(logs.out + logs.err, /AGENT_JAIL=auto: on/, 'the jail is on in the image');
    const c = await TestClient.connect(`ws://127.0.0.1:${port}/ws/v1/chat`, KEY);
    await c.next('session_list');
    c.ws.on('message', (d) => {
      const f = JSON.parse(d.toString()) as { type: string; request_id?: string };
      if (f.type === 'permission_request') c.send({ type: 'permission_response', request_id: f.request_id as string, decision: 'allow' });
    });
    const id = await c.createSession();
    const { text } = await c.turn(id, 'run: echo JAILED; ls -A /data; cat /proc/*/cmdline | tr "\\0" " "', 90_000);
    assert.match(text, /JAILED/);
    assert.doesNotMatch(text, /sessions\.db/, 'the database is not in the jail');
    assert.doesNotMatch(text, /dist\/main\.js/, "the server's process is not in the jail");
    await c.close();
  });

  test('SIGTERM ends it gracefully; a restart on the same volume keeps the sessions', async () => {
    const first = await stopContainer();
    log(`stop (SIGTERM) -> exited ${first.exitCode} in ${first.seconds.toFixed(2)} s`);
    assert.equal(first.exitCode, 0, first.logs);
    assert.match(first.logs, /"signal":"SIGTERM"/);
    assert.match(first.logs, /shutting down/);
    assert.doesNotMatch(first.logs, /shutdown failed/);

    await runContainer();
    const r = await fetch(`${url}/api/v1/sessions`, { headers: { 'X-API-Key': KEY } });
    const body = (await r.json()) as { sessions: { session_id: string }[] };
    assert.ok(
      body.sessions.some((s) => s.session_id === sessionId),
      JSON.stringify(body),
    );
    const second = await stopContainer();
    assert.equal(second.exitCode, 0, second.logs);
  });

  test('no process left behind', async () => {
    const ps = await podman(['ps', '-a', '--filter', `name=${NAME}`, '--format', '{{.Names}}']);
    assert.equal(ps.out.trim(), '');
    assert.equal(hostProcessesOfImageUser(), '');
  });
});
