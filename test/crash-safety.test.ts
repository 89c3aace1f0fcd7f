// Crash safety: the server as a real process, SIGKILLed while a session is being
// created and while a turn streams, restarted on the same database each time.
// What must hold after every restart: the database passes PRAGMA integrity_check,
// every session the client knew is listed (terminated), a resumable one answers its
// next message with its earlier context, a non-resumable one says so, and no
// process of the crashed run is left.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { ScriptedModel } from '../src/demo/scripted-model.js';
import { SessionListResponse, type SessionSummary } from '../src/protocol/messages.js';
import { tempDir, testEnv } from './helpers/harness.js';
import { instanceOf, type MarkedProcess, markedProcesses, waitAllGone } from './helpers/marked-processes.js';
import { freePort, type ServerProcess, startServerProcess } from './helpers/server-process.js';
import { TestClient } from './helpers/ws-client.js';

const KEY = 'crash-safety-key-0123';
let model: ScriptedModel;
let env: Record<string, string>;
let dbFile: string;
let instance: string;
let port: number;
let server: ServerProcess | null = null;

before(async () => {
  model = new ScriptedModel();
  await model.start();
  const dir = tempDir();
  dbFile = path.join(dir, 'sessions.db');
  env = { ...testEnv(dir, model.url, KEY), DATABASE_URL: `sqlite:///${dbFile}`, LOG_LEVEL: 'WARNING' };
  instance = instanceOf(env);
  port = await freePort();
});
after(async () => {
  if (server) await server.stop('SIGKILL');
  model.releaseAll();
  // a failed test must not leave CLIs behind either
  for (const p of markedProcesses(instance)) process.kill(p.pid, 'SIGKILL');
  await model.close();
});

async function connect(s: ServerProcess): Promise<TestClient> {
  const c = await TestClient.connect(s.wsUrl, KEY);
  await c.next('session_list');
  return c;
}

/** SIGKILLs the server; returns every process of its run that still runs (CLIs that outlived it). */
async function crash(s: ServerProcess): Promise<MarkedProcess[]> {
  await s.stop('SIGKILL');
  server = null;
  return markedProcesses(instance);
}

/** Starts the server again on the same database and checks what a crash must leave intact. */
async function restartAndCheck(leftovers: MarkedProcess[], known: string[]): Promise<{ s: ServerProcess; list: SessionSummary[] }> {
  const s = await startServerProcess(env, port);
  server = s;
  // the restart ends what the crashed run left (recorded pids, then marked orphans)
  await waitAllGone(leftovers, 15_000);
  const db = new Database(dbFile, { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    db.close();
  }
  const res = await fetch(`${s.url}/api/v1/sessions`, { headers: { 'X-API-Key': KEY } });
  const list = SessionListResponse.parse(await res.json()).sessions;
  for (const id of known)
    assert.ok(
      list.some((x) => x.session_id === id),
      `session ${id} is listed`,
    );
  for (const x of list) assert.equal(x.status, 'terminated', `${x.session_id} after a crash`);
  return { s, list };
}

/** A terminated session answers its next message with its earlier context, or says it cannot be resumed. */
async function checkResumeOrRefusal(c: TestClient, x: SessionSummary, remembered?: string): Promise<void> {
  if (!x.is_resumable) {
    c.send({ type: 'user_message', session_id: x.session_id, text: 'are you there?' });
    const e = await c.next('error', (f) => f.session_id === x.session_id);
    assert.equal(e.code, 'session_unavailable');
    assert.equal(remembered, undefined, `${x.session_id} had a conversation and should be resumable`);
    return;
  }
  model.enqueue(x.session_id, { kind: 'text', text: `Back: ${x.session_id}` });
  const r = await c.turn(x.session_id, 'what did I ask you to remember?', 90_000);
  assert.equal(r.text, `Back: ${x.session_id}`);
  if (remembered) assert.ok(model.requestsFor(x.session_id).at(-1)?.userTexts.includes(remembered), `context of ${x.session_id}`);
}

let s: ServerProcess;
let c: TestClient;
let a: string;

test('SIGKILL while a session is being created: integrity ok, sessions listed, resumable with context, no process survives', async () => {
  s = await startServerProcess(env, port);
  server = s;
  c = await connect(s);
  a = await c.createSession();
  model.enqueue(a, { kind: 'text', text: 'Noted: MANGO.' });
  await c.turn(a, 'Remember MANGO');
  c.send({ type: 'create_session' });
  await c.next('session_creating');
  const leftovers = await crash(s);
  await c.whenClosed();
  console.log(`crash during create: ${leftovers.length} processes outlived the server: ${leftovers.map((p) => p.cmd).join(', ')}`);

  let list: SessionSummary[];
  ({ s, list } = await restartAndCheck(leftovers, [a]));
  console.log(`after restart: ${JSON.stringify(list.map((x) => [x.session_id === a ? 'a' : x.session_id, x.status, x.is_resumable]))}`);
  c = await connect(s);
  for (const x of list) await checkResumeOrRefusal(c, x, x.session_id === a ? 'Remember MANGO' : undefined);
});

test('SIGKILL mid-turn: integrity ok, every session listed and resumable with its context, no process survives', async () => {
  const b = await c.createSession();
  model.enqueue(b, { kind: 'text', text: 'Noted: PAPAYA.' });
  await c.turn(b, 'Remember PAPAYA');
  model.enqueue(b, { kind: 'text', text: 'p'.repeat(50), chunks: 50, delayMs: 200 });
  c.send({ type: 'user_message', session_id: b, text: 'a long answer, please' });
  await model.waitForRequest((r) => r.sessionId === b && r.lastUserText === 'a long answer, please');
  await c.next('stream_delta', (f) => f.session_id === b);
  const leftovers = await crash(s);
  await c.whenClosed();
  model.releaseAll();
  console.log(`crash mid-turn: ${leftovers.length} processes outlived the server: ${leftovers.map((p) => p.cmd).join(', ')}`);

  let list: SessionSummary[];
  ({ s, list } = await restartAndCheck(leftovers, [a, b]));
  c = await connect(s);
  for (const x of list)
    await checkResumeOrRefusal(c, x, x.session_id === a ? 'Remember MANGO' : x.session_id === b ? 'Remember PAPAYA' : undefined);
  await c.close();

  // a clean stop afterwards leaves nothing either
  assert.equal(await s.stop('SIGTERM'), 0);
  server = null;
  assert.deepEqual(markedProcesses(instance), []);
});
