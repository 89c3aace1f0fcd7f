// The subprocess monitor (memory, duration, idle limits; orphans) on real CLI processes with tiny limits.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { CLAUDE_EXECUTABLE, INSTANCE_ENV, instanceId } from '../src/core/cli/cli-options.js';
import { isAlive, snapshotAsync, treeRss } from '../src/core/cli/process-tree.js';
import type { MonitorAction } from '../src/core/sessions/subprocess-monitor.js';
import { type Harness, startHarness } from './helpers/harness.js';

const FAST = { MONITOR_INTERVAL_SECONDS: '0.25' };

/** Resolves after the monitor has completed n more sweeps (a signal, not a sleep). */
async function sweeps(h: Harness, n: number): Promise<void> {
  const m = h.built.monitor;
  for (let i = 0; i < n; i++) await m.sweep();
}

describe('duration limit', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ...FAST, MAX_SESSION_DURATION_SECONDS: '4' });
  });
  after(() => h.close());

  test('a warning at 90 %, then session_terminated at the limit; stored resumable, processes gone', async () => {
    const c = await h.client();
    const id = await c.createSession();
    const pid = (await h.api('GET', `/api/v1/sessions/${id}`)).body.subprocess_pid as number;
    const w = await c.next('session_warning', undefined, 10_000);
    assert.equal(w.reason, 'duration');
    assert.ok(w.remaining_seconds >= 0 && w.remaining_seconds <= 1, String(w.remaining_seconds));
    assert.match(w.message, /^Session will end in \d+ seconds?\. Save your work\.$/);
    const t = await c.next('session_terminated', undefined, 10_000);
    assert.equal(t.reason, 'duration_limit');
    assert.equal(t.message, 'Session ended (4 seconds limit reached).');
    assert.equal(t.resume_url, `/chat?resume=${id}`);
    assert.equal(isAlive(pid), false);
    const row = (await h.api('GET', `/api/v1/sessions/${id}`)).body;
    assert.equal(row.status, 'terminated');
    assert.equal(row.is_resumable, true);
  });
});

describe('idle timeout', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ ...FAST, SESSION_IDLE_TIMEOUT_SECONDS: '2' });
  });
  after(() => h.close());

  test('no user message for the timeout ends the session (resumable), never mid-turn', async () => {
    const c = await h.client();
    const id = await c.createSession();
    const pid = (await h.api('GET', `/api/v1/sessions/${id}`)).body.subprocess_pid as number;
    h.model.enqueue(id, { kind: 'text', text: 'slow', chunks: 60, delayMs: 50 }); // a 3 s turn outlives the idle limit
    const r = await c.turn(id, 'keep busy');
    assert.equal(r.text, 'slow');
    assert.equal(c.frames.filter((f) => f.type === 'session_terminated').length, 0, 'not ended mid-turn');
    const t = await c.next('session_terminated', undefined, 10_000);
    assert.equal(t.reason, 'idle_timeout');
    assert.equal(isAlive(pid), false);
    assert.equal((await h.api('GET', `/api/v1/sessions/${id}`)).body.is_resumable, true);
  });
});

describe('memory limit', () => {
  let h: Harness;
  const HIGH = 100_000;
  before(async () => {
    h = await startHarness({ ...FAST, MAX_SESSION_RSS_MB: String(HIGH), MEMORY_RESTART_GRACE_SECONDS: '60' });
  });
  after(() => h.close());
  const detail = async (id: string) => (await h.api('GET', `/api/v1/sessions/${id}`)).body as { subprocess_pid: number; rss_mb: number };

  test('over the limit: session_restarting, new process resumed on the same conversation, grace period holds', async () => {
    const c = await h.client();
    const id = await c.createSession();
    h.model.enqueue(id, { kind: 'text', text: 'Noted.' });
    await c.turn(id, 'The secret word is MANGO');
    const before_ = await detail(id);
    h.built.config.maxSessionRssMb = Math.floor(before_.rss_mb * 0.7); // under a fresh process: also tests the grace period
    const r = await c.next('session_restarting', undefined, 10_000);
    assert.equal(r.reason, 'memory_limit');
    await c.next('session_updated', (f) => f.session.session_id === id && f.session.status === 'idle');
    const after_ = await detail(id);
    assert.notEqual(after_.subprocess_pid, before_.subprocess_pid);
    assert.equal(isAlive(before_.subprocess_pid), false);
    await sweeps(h, 4);
    assert.equal(c.frames.filter((f) => f.type === 'session_restarting').length, 1, 'no restart storm within the grace period');
    h.built.config.maxSessionRssMb = HIGH;
    h.model.enqueue(id, { kind: 'text', text: 'MANGO' });
    const t = await c.turn(id, 'What is the secret word?', 60_000);
    assert.equal(t.text, 'MANGO');
    assert.ok(h.model.requestsFor(id).at(-1)?.userTexts.includes('The secret word is MANGO'));
  });

  test('while streaming: the restart waits for the turn to end', async () => {
    const c = await h.client();
    const id = await c.createSession();
    const d = await detail(id);
    h.model.enqueue(id, { kind: 'text', text: 'w'.repeat(30), chunks: 30, delayMs: 50 });
    c.send({ type: 'user_message', session_id: id, text: 'stream a while' });
    await c.next('stream_delta');
    h.built.config.maxSessionRssMb = Math.floor(d.rss_mb * 0.7);
    await c.next('session_restarting', undefined, 10_000);
    h.built.config.maxSessionRssMb = HIGH;
    const types = c.frames.map((f) => f.type);
    assert.ok(types.indexOf('response_complete') < types.indexOf('session_restarting'), 'restart after the turn completed');
    assert.equal(c.frames.filter((f) => f.type === 'stream_error').length, 0);
  });

  test('over twice the limit while streaming: killed at once with stream_error, then restarted', async () => {
    const c = await h.client();
    const id = await c.createSession();
    const d = await detail(id);
    h.model.enqueue(id, { kind: 'text', text: 'k'.repeat(200), chunks: 200, delayMs: 50 });
    c.send({ type: 'user_message', session_id: id, text: 'stream for ten seconds' });
    await c.next('stream_delta');
    h.built.config.maxSessionRssMb = Math.floor(d.rss_mb / 3);
    const e = await c.next('stream_error', undefined, 10_000);
    assert.match(e.error, /too much memory/);
    assert.equal(e.suggested_action, 'retry');
    await c.next('session_restarting');
    await c.next('session_updated', (f) => f.session.session_id === id && f.session.status === 'idle');
    h.built.config.maxSessionRssMb = HIGH;
    assert.equal(isAlive(d.subprocess_pid), false);
    h.model.enqueue(id, { kind: 'text', text: 'back' });
    assert.equal((await c.turn(id, 'again')).text, 'back');
  });
});

describe('orphans', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness(FAST);
  });
  after(() => h.close());

  test('a CLI and a child marked as ours but owned by no session are ended; owned ones are left alone', async () => {
    const c = await h.client();
    const id = await c.createSession();
    const owned = (await h.api('GET', `/api/v1/sessions/${id}`)).body.subprocess_pid as number;
    const marker = { [INSTANCE_ENV]: instanceId(h.built.config) };
    // A CLI started outside any session (as one left by a crashed run would be): the real binary, waiting on stdin.
    const cliBin = CLAUDE_EXECUTABLE as string;
    const cli = spawn(cliBin, ['--input-format', 'stream-json', '--output-format', 'stream-json', '--verbose'], {
      cwd: h.projectDir,
      env: { ...h.env, ...marker },
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: true,
    });
    const orphanCli = cli.pid as number;
    const stray = spawn('sleep', ['600'], { env: { ...process.env, ...marker }, detached: true, stdio: 'ignore' });
    const unrelated = spawn('sleep', ['600'], { detached: true, stdio: 'ignore' });
    // Marked by another replica of the same database on this host (REPLICA_ID differs): not ours.
    const siblingMarker = { [INSTANCE_ENV]: instanceId({ ...h.built.config, replicaId: 'another-replica' }) };
    const sibling = spawn('sleep', ['600'], { env: { ...process.env, ...siblingMarker }, detached: true, stdio: 'ignore' });
    try {
      assert.ok(isAlive(orphanCli) && isAlive(stray.pid as number));
      await sweeps(h, 2);
      assert.equal(isAlive(sibling.pid as number), true, "another replica's process is left alone");
      assert.equal(isAlive(orphanCli), false, 'orphan CLI ended');
      assert.equal(isAlive(stray.pid as number), false, 'marked stray child ended');
      assert.equal(isAlive(owned), true, 'a session process is never an orphan');
      assert.equal(isAlive(unrelated.pid as number), true, 'processes that are not ours are left alone');
      const metrics = await fetch(`${h.url}/metrics`, { headers: { 'X-API-Key': h.key } }).then((r) => r.text());
      assert.match(metrics, /csp_monitor_actions_total\{action="cleanup_orphan"\} [2-9]/);
    } finally {
      unrelated.kill('SIGKILL');
      sibling.kill('SIGKILL');
    }
  });

  test('one sweep over 10 live sessions reads each tree and decides nothing while limits hold (time printed, not asserted)', async () => {
    const created = await Promise.all(Array.from({ length: 10 }, () => h.api('POST', '/api/v1/sessions', {})));
    assert.deepEqual(
      created.map((r) => r.status),
      Array(10).fill(201),
    );
    const ids = new Set(created.map((r) => r.body.session_id as string));
    // no timer sweep in between: the gauge read below is this test's sweep
    h.built.monitor.stop();
    await h.built.monitor.sweep();
    const live = h.built.manager.liveSessions().filter((s) => ids.has(s.id));
    assert.equal(live.length, 10);
    const snap = await snapshotAsync();
    const expectedRss = h.built.manager.liveSessions().reduce((n, s) => n + treeRss(s.pid, snap), 0);
    const t: number[] = [];
    let actions: MonitorAction[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      actions = h.built.monitor.checkAll(Date.now(), snap);
      t.push(performance.now() - t0);
    }
    assert.deepEqual(
      actions.filter((a) => 'session_id' in a),
      [],
      'no limit reached',
    );
    const gauge = (await h.built.metrics.sessionsRss.get()).values[0]?.value ?? 0;
    assert.equal(gauge, expectedRss, 'every session tree counted once');
    assert.ok(gauge > 10 * 10 * 1048576, `${gauge} bytes for 10 CLI trees`);
    t.sort((a, b) => a - b);
    console.log(`# monitor checkAll with ${live.length} sessions: median ${t[5]?.toFixed(2)} ms`);
    for (const id of ids) await h.api('DELETE', `/api/v1/sessions/${id}`);
  });
});
