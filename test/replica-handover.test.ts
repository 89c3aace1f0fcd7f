// Two replicas' session managers on one database, with their leases and replica channel on a
// throwaway PostgreSQL and fake CLI processes (issue 21 items 4 and 5): a message for a session
// another replica holds makes that one hand it over at the end of its turn, and the asker resumes
// it at the next epoch; summaries reach the other replica; a replica that lost a lease (paused past
// it) stops that session's process at once and fails the turn in flight.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import pino from 'pino';
import postgres from 'postgres';
import { loadConfig } from '../src/config/config.js';
import { REPLICA_CHANNEL, ReplicaBus, type ReplicaMessage } from '../src/core/replicas/replica-bus.js';
import { Replicas } from '../src/core/replicas/replicas.js';
import { SharedLeases } from '../src/core/replicas/session-leases.js';
import { SessionManager } from '../src/core/sessions/session-manager.js';
import type { LeaseRepository } from '../src/db/leases.js';
import type { Repositories } from '../src/db/ports.js';
import { PgLeaseRepository } from '../src/db/postgres/lease-repository.js';
import { migratePostgres } from '../src/db/postgres/migrate.js';
import { openSqlite } from '../src/db/sqlite/open-sqlite.js';
import type { SessionSummary } from '../src/protocol/messages.js';
import { FakeStarter } from '../src/testing/fake-process.js';
import { freshPgDatabase, pgSkipReason } from '../src/testing/pg-cluster.js';

const skip = pgSkipReason();
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let url: string;
let dir: string;
let repos: Repositories;
const closers: (() => Promise<void>)[] = [];

before(async () => {
  if (skip) return;
  url = await freshPgDatabase();
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  await migratePostgres(sql);
  await sql.end();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-handover-'));
  fs.mkdirSync(path.join(dir, 'project'));
  repos = await openSqlite(path.join(dir, 'sessions.db'));
});
after(async () => {
  for (const c of closers.reverse()) await c();
  await repos?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Renewals wait while paused (a replica stopped by SIGSTOP renews nothing). */
function pausable(real: LeaseRepository) {
  let gate: Promise<void> | null = null;
  let open = () => {};
  const repo: LeaseRepository = {
    acquire: (...a) => real.acquire(...a),
    get: (...a) => real.get(...a),
    renew: async (...a) => {
      await gate;
      return real.renew(...a);
    },
    release: (...a) => real.release(...a),
    releaseAll: (...a) => real.releaseAll(...a),
    othersOf: (...a) => real.othersOf(...a),
    liveCountsByOwner: () => real.liveCountsByOwner(),
  };
  return {
    repo,
    pause: () => {
      gate = new Promise((r) => (open = r));
    },
    resume: () => {
      gate = null;
      open();
    },
  };
}

async function replica(name: string, ttlSeconds: number) {
  const config = loadConfig({
    PROJECT_DIR: path.join(dir, 'project'),
    CLAUDE_CONFIG_DIR: path.join(dir, `claude-${name}`),
    PREWARM_POOL_SIZE: '0',
    REPLICA_ID: name,
  });
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const leaseRepo = pausable(new PgLeaseRepository(sql));
  const leases = new SharedLeases({ repo: leaseRepo.repo, replicaId: name, ttlSeconds, log });
  const replicas = new Replicas({ leases, bus: new ReplicaBus(sql, name, log), log, handoverWaitMs: 30_000 });
  const starter = new FakeStarter();
  const manager = new SessionManager({
    config,
    repo: repos.sessions,
    history: repos.history,
    log,
    modelBaseUrl: undefined,
    extensions: () => ({ options: {}, fingerprint: 'none' }),
    starter,
    replicas,
  });
  const heard: SessionSummary[] = [];
  const relistens: number[] = [];
  replicas.deliverTo({ updated: (s) => heard.push(s), relistened: () => relistens.push(Date.now()) });
  await replicas.attach({ registry: manager.registry, events: manager, load: (id) => repos.sessions.get(id) });
  closers.push(async () => {
    leaseRepo.resume();
    await manager.shutdown(0);
    await replicas.close();
    await sql.end();
  });
  return { name, manager, starter, leases, heard, relistens, renewals: leaseRepo };
}

let a: Awaited<ReturnType<typeof replica>>;
let b: Awaited<ReturnType<typeof replica>>;
let sid: string;

test('a message for a session another replica holds: the holder hands it over at the end of its turn', { skip }, async () => {
  a = await replica('replica-a', 30);
  b = await replica('replica-b', 1);
  const s = (await a.manager.createSession('default')).session;
  sid = s.id;
  assert.ok(a.leases.holds(sid), 'the creating replica holds the new session');
  await a.manager.sendMessage(s, { text: 'one' });
  // A turn in flight on A when B is asked: B waits for it.
  a.starter.of(sid).hold = true;
  const aTurn = a.manager.sendMessage(s, { text: 'two' });
  const onB = await b.manager.find(sid);
  assert.ok(onB);
  assert.equal(onB.state, 'idle', 'a session live elsewhere loads without a process here');
  await b.manager.checkCanSend(onB);
  const listener = postgres(url, { max: 1, onnotice: () => {} });
  closers.push(() => listener.end());
  let heardAsk = () => {};
  const asked = new Promise<void>((resolve) => (heardAsk = resolve));
  await listener.listen(REPLICA_CHANNEL, (p) => {
    if ((JSON.parse(p) as ReplicaMessage).t === 'handover') heardAsk();
  });
  const bTurn = b.manager.sendMessage(onB, { text: 'three' });
  // B asks; A lets go only once its turn has ended.
  await asked;
  assert.equal(a.starter.of(sid).state, 'ready', 'the holder keeps its process during its turn');
  a.starter.of(sid).finish('two done');
  await aTurn;
  await bTurn;
  assert.equal(s.state, 'dormant', 'handed over: dormant on the old holder');
  assert.equal(a.starter.of(sid).state, 'dead');
  assert.equal(a.leases.holds(sid), false);
  assert.ok(b.leases.holds(sid));
  const started = b.starter.started.filter((x) => x.sessionId === sid);
  assert.equal(started.length, 1);
  assert.equal(started[0]?.resume, true, 'the new holder resumes the conversation');
  assert.deepEqual(b.starter.of(sid).sent, ['three']);
  assert.equal(onB.summary().message_count, 3, "the holder's messages and this one (fake turns answer without text)");
  const heard = () => a.heard.some((x) => x.session_id === sid && x.message_count === 3);
  for (let i = 0; i < 500 && !heard(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(heard(), "the old holder's sockets heard the new holder's summary (NOTIFY)");
});

test('a replica paused past its lease stops the CLI at once when it wakes and fails the turn in flight', { skip }, async () => {
  const onB = await b.manager.find(sid);
  assert.ok(onB && b.leases.holds(sid));
  const failed: string[] = [];
  b.manager.on('event', (ev) => {
    if (ev.session_id === sid && ev.type === 'stream_error') failed.push(ev.suggested_action);
  });
  b.starter.of(sid).hold = true;
  const turn = b.manager.sendMessage(onB, { text: 'four' });
  b.renewals.pause(); // B stops renewing, as if SIGSTOPped
  const otherSql = postgres(url, { max: 1, onnotice: () => {} });
  closers.push(() => otherSql.end());
  const other = new PgLeaseRepository(otherSql);
  let taken = await other.acquire(sid, 'replica-c', 30);
  while (!taken) {
    await new Promise((r) => setTimeout(r, 100));
    taken = await other.acquire(sid, 'replica-c', 30);
  }
  assert.equal(taken.epoch, 3, 'a, b, then c: the epoch grew with each change of hands');
  assert.equal(b.starter.of(sid).state, 'ready', 'paused: its CLI still runs');
  b.renewals.resume(); // SIGCONT: the next renewal finds the lease gone
  await turn;
  assert.deepEqual(failed, ['retry'], 'the turn in flight failed: send it again');
  assert.equal(b.starter.of(sid).state, 'dead', 'its CLI stopped');
  assert.equal(onB.state, 'dormant');
  assert.equal(b.leases.holds(sid), false);
  assert.equal(b.starter.started.filter((x) => x.sessionId === sid).length, 1, 'no second process was started for it');
  assert.equal((await other.get(sid))?.owner, 'replica-c', 'the lease stays the new holder’s');
});

test("start-up recovery ends only what this replica left open, never another replica's sessions", { skip }, async () => {
  const onB = (await b.manager.createSession('default')).session;
  const onA = (await a.manager.createSession('default')).session;
  // As if A had just started again: what the last run left open is stored terminated (server_restart).
  await a.manager.recoverFromPreviousRun();
  const get = (id: string) => repos.sessions.get(id);
  assert.equal((await get(onA.id))?.status, 'terminated');
  assert.equal((await get(onA.id))?.terminated_reason, 'server_restart');
  assert.notEqual((await get(onB.id))?.status, 'terminated', "B's live session is B's");
  assert.notEqual((await get(sid))?.status, 'terminated', 'nor one a third replica took over');
  assert.equal(b.starter.of(onB.id).state, 'ready');
});

test('the replica channel listens again after its connection is cut, and says so (clients get their lists again)', { skip }, async () => {
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  closers.push(() => admin.end());
  const cut = await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query ILIKE 'listen%' AND pid <> pg_backend_pid()`;
  assert.ok(cut.length >= 2, `the two replicas' listeners were cut (${cut.length})`);
  for (let i = 0; i < 200 && (a.relistens.length === 0 || b.relistens.length === 0); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(a.relistens.length, 1);
  assert.equal(b.relistens.length, 1);
  // And it hears again: a change on A reaches B.
  const s = (await a.manager.createSession('default')).session;
  s.rename('after the reconnect');
  for (let i = 0; i < 200 && !b.heard.some((x) => x.title === 'after the reconnect'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(b.heard.some((x) => x.session_id === s.id && x.title === 'after the reconnect'));
});
