// The session life against fake processes (no CLI, no model): eviction, the slot
// going with the process, a failed resume going back, a restart keeping the
// conversation, destroy while a process starts. Fast; the real-CLI tests
// (lifecycle, dormant, recovery, crash-safety, monitor) prove the same with real processes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import { SessionManager } from '../src/core/sessions/session-manager.js';
import { openSqlite } from '../src/db/sqlite/open-sqlite.js';
import { FakeStarter } from '../src/testing/fake-process.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function setup(env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-life-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'project'));
  const config = loadConfig({
    PROJECT_DIR: path.join(dir, 'project'),
    CLAUDE_CONFIG_DIR: path.join(dir, 'claude'),
    MAX_SESSIONS: '2',
    SESSION_EVICTION: 'idle',
    PREWARM_POOL_SIZE: '0',
    ...env,
  });
  const repos = await openSqlite(path.join(dir, 'sessions.db'));
  const repo = repos.sessions;
  const starter = new FakeStarter();
  const manager = new SessionManager({
    config,
    repo,
    history: repos.history,
    log: pino({ level: 'silent' }),
    modelBaseUrl: undefined,
    extensions: () => ({ options: {}, fingerprint: 'none' }),
    starter,
  });
  return { manager, repo, repos, starter };
}

const create = async (m: SessionManager) => (await m.createSession('default')).session;

test('a full server releases the least recently used idle session; its slot passes on and it resumes on its next message', async () => {
  const { manager: m, starter } = await setup();
  const a = await create(m);
  const b = await create(m);
  assert.equal(m.activeCount, 2);
  const c = await create(m);
  assert.equal(a.state, 'dormant', 'the oldest idle one made room');
  assert.equal(starter.of(a.id).state, 'dead', 'its process is gone');
  assert.equal(m.activeCount, 2, 'its slot went to the new session');
  assert.equal(b.state, 'ready');
  await m.checkCanSend(a);
  await m.sendMessage(a, { text: 'back' });
  assert.equal(a.state, 'idle');
  assert.equal(starter.started.filter((s) => s.sessionId === a.id).length, 2, 'a second process for a');
  assert.equal(b.state, 'dormant', 'b made room for a in turn');
  assert.equal(c.state, 'ready');
  assert.equal(m.activeCount, 2);
});

test('a session mid-turn is never evicted: the server answers capacity_exceeded', async () => {
  const { manager: m, starter } = await setup({ MAX_SESSIONS: '1' });
  const a = await create(m);
  starter.of(a.id).hold = true;
  const turn = m.sendMessage(a, { text: 'long' });
  await assert.rejects(create(m), /capacity/i);
  assert.equal(m.activeCount, 1, 'the failed create gave its slot back');
  starter.of(a.id).finish('done');
  await turn;
  assert.equal(a.state, 'idle');
});

test('the slot goes with the process: a crash frees it, the next message resumes', async () => {
  const { manager: m, starter } = await setup();
  const a = await create(m);
  assert.equal(m.activeCount, 1);
  starter.of(a.id).crash();
  assert.equal(a.state, 'idle');
  assert.equal(m.activeCount, 0);
  await m.sendMessage(a, { text: 'again' });
  assert.equal(m.activeCount, 1);
  assert.equal(starter.started.at(-1)?.resume, false, 'no earlier message: a fresh start under its id');
});

test('a crash mid-turn fails the turn (retry) and keeps the session', async () => {
  const { manager: m, starter } = await setup();
  const a = await create(m);
  const frames: string[] = [];
  m.on('event', (e) => frames.push(e.type === 'stream_error' ? `stream_error:${e.suggested_action}` : e.type));
  starter.of(a.id).hold = true;
  const turn = m.sendMessage(a, { text: 'go' });
  await Promise.resolve();
  starter.of(a.id).crash();
  await turn;
  assert.deepEqual(frames, ['turn_started', 'stream_error:retry']);
  assert.equal(a.state, 'idle');
  assert.equal(m.activeCount, 0);
});

test('a failed resume goes back where it was and gives its slot back; a lost transcript ends the session for good', async () => {
  const { manager: m, starter } = await setup();
  const a = await create(m);
  await m.sendMessage(a, { text: 'first' });
  await m.destroy(a, 'user_requested', 'bye', 'default');
  assert.equal(a.state, 'terminated');
  assert.equal(m.activeCount, 0);
  starter.failNext = new Error('spawn failed');
  await assert.rejects(m.ensureProcess(a), /spawn failed/);
  assert.equal(a.state, 'terminated', 'back where it was');
  assert.equal(a.isResumable, true);
  assert.equal(m.activeCount, 0, 'no slot kept for a process that never started');
  starter.failNext = new Error('No conversation found with session ID');
  const ended: string[] = [];
  m.on('ended', (e) => ended.push(e.reason));
  await assert.rejects(m.ensureProcess(a));
  assert.equal(a.state, 'terminated');
  assert.equal(a.isResumable, false);
  assert.deepEqual(ended, ['resume_failed']);
  await assert.rejects(m.ensureProcess(a), { code: 'session_unavailable' });
});

test('a restart replaces the process on the same conversation and keeps its slot', async () => {
  const { manager: m, starter } = await setup({ MAX_SESSIONS: '1' });
  const a = await create(m);
  const first = starter.of(a.id);
  const frames: string[] = [];
  m.on('event', (e) => frames.push(e.type));
  await m.restartForMemory(a.id, 900, false);
  assert.equal(first.state, 'dead');
  assert.notEqual(starter.of(a.id), first);
  assert.equal(a.state, 'idle');
  assert.equal(m.activeCount, 1);
  assert.ok(a.memoryGraceUntil > Date.now(), 'no restart storm');
  assert.deepEqual(frames, ['session_restarting']);
});

test('a restart asked for mid-turn waits for the turn to end', async () => {
  const { manager: m, starter } = await setup();
  const a = await create(m);
  const first = starter.of(a.id);
  first.hold = true;
  const turn = m.sendMessage(a, { text: 'long' });
  await Promise.resolve();
  await m.restartForMemory(a.id, 900, false);
  assert.equal(first.state, 'ready', 'not during the turn');
  first.finish('done');
  await turn;
  await new Promise<void>((r) => {
    m.on('updated', (s) => s.session_id === a.id && s.status === 'idle' && a.state === 'idle' && starter.of(a.id) !== first && r());
  });
  assert.equal(first.state, 'dead');
});

test('destroyed while its process starts: the process is not taken, the slot is given back', async () => {
  const { manager: m, starter } = await setup();
  const a = await create(m);
  await m.sendMessage(a, { text: 'x' });
  starter.of(a.id).crash();
  const resuming = m.ensureProcess(a);
  assert.equal(a.state, 'resuming');
  await m.destroy(a, 'user_requested', 'bye', 'default');
  await assert.rejects(resuming, { code: 'session_unavailable' });
  assert.equal(a.state, 'terminated');
  assert.equal(starter.of(a.id).state, 'dead', 'the late process was stopped');
  assert.equal(m.activeCount, 0);
});

test('shutdown and the next start store open sessions terminated and resumable, through the same path', async () => {
  const { manager: m, repo, repos } = await setup();
  const a = await create(m);
  const updates: string[] = [];
  m.on('updated', (x) => updates.push(x.status));
  await m.shutdown(0);
  assert.deepEqual(updates, ['terminated'], 'announced like any other move');
  const stored = await repo.get(a.id);
  assert.equal(stored?.status, 'terminated');
  assert.equal(stored?.terminated_reason, 'server_shutdown');
  assert.equal(stored?.is_resumable, true);
  // as if the server had died without shutting down
  await repo.save({ ...(stored as NonNullable<typeof stored>), status: 'idle', terminated_reason: null });
  const next = new SessionManager({
    config: loadConfig({ PROJECT_DIR: os.tmpdir(), PREWARM_POOL_SIZE: '0' }),
    repo,
    history: repos.history,
    log: pino({ level: 'silent' }),
    modelBaseUrl: undefined,
    extensions: () => ({ options: {}, fingerprint: 'none' }),
    starter: new FakeStarter(),
  });
  await next.recoverFromPreviousRun();
  const restarted = await repo.get(a.id);
  assert.equal(restarted?.status, 'terminated');
  assert.equal(restarted?.terminated_reason, 'server_restart');
  assert.equal(restarted?.is_resumable, true);
});
