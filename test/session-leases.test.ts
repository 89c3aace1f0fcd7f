// Session leases and fencing on PostgreSQL (issue 21 item 4), on a throwaway cluster: one owner per
// session, the epoch bumped when the lease changes hands, one renewal statement for all of a replica's
// leases (the lost ones reported), and a write fenced by owner + epoch refused once the lease is gone.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pino from 'pino';
import postgres, { type Sql } from 'postgres';
import { SharedLeases } from '../src/core/replicas/session-leases.js';
import { fenceCondition } from '../src/db/postgres/fence-sql.js';
import { PgLeaseRepository } from '../src/db/postgres/lease-repository.js';
import { migratePostgres } from '../src/db/postgres/migrate.js';
import { openPostgres } from '../src/db/postgres/open-postgres.js';
import { freshPgDatabase, pgSkipReason } from '../src/testing/pg-cluster.js';

const skip = pgSkipReason();
let sql: Sql;
let repo: PgLeaseRepository;
const log = pino({ level: 'silent' });

before(async () => {
  if (skip) return;
  sql = postgres(await freshPgDatabase(), { max: 4, onnotice: () => {} });
  repo = new PgLeaseRepository(sql);
  await migratePostgres(sql);
  await sql`CREATE TABLE notes (session_id text PRIMARY KEY, body text NOT NULL)`;
});
after(async () => {
  await sql?.end();
});

/** Until `fn` returns a value (a lease expiring by the database's clock): a signal, not a sleep of a fixed length. */
async function until<T>(fn: () => Promise<T | undefined>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('one owner at a time: kept by its owner, refused to others while live, taken with epoch + 1 once expired', { skip }, async () => {
  const a = await repo.acquire('s1', 'A', 1);
  assert.equal(a?.owner, 'A');
  assert.equal(a?.epoch, 1);
  assert.equal((await repo.acquire('s1', 'A', 1))?.epoch, 1, 'its own lease is kept at the same epoch');
  assert.equal(await repo.acquire('s1', 'B', 1), undefined, 'refused while A holds it');
  const b = await until(() => repo.acquire('s1', 'B', 5));
  assert.equal(b.owner, 'B');
  assert.equal(b.epoch, 2, 'ownership changed: epoch + 1');
  assert.equal(await repo.acquire('s1', 'A', 5), undefined);
  assert.ok(await repo.release('s1', 'B', 2));
  assert.equal((await repo.acquire('s1', 'A', 5))?.epoch, 3, 'a released lease is taken at once, epochs only grow');
  assert.equal(await repo.release('s1', 'B', 2), false, 'a lease no longer held is not released');
});

test('renewal: one statement for every lease of a replica; those taken meanwhile are not kept', { skip }, async () => {
  await repo.acquire('r1', 'C', 1);
  await repo.acquire('r2', 'C', 1);
  await repo.acquire('r3', 'C', 30);
  await until(() => repo.acquire('r1', 'D', 30)); // r1 expired and went to D; r2 expired and nobody took it
  const kept = await repo.renew('C', ['r1', 'r2', 'r3'], 30);
  assert.deepEqual(kept.map((r) => r.session_id).sort(), ['r3']);
  assert.equal(await repo.releaseAll('C'), 1);
  assert.deepEqual([...(await repo.othersOf('C', ['r1', 'r2', 'r3', 'never']))], ['r1'], "start-up recovery leaves D's session alone");
  assert.equal((await repo.get('r3'))?.owner, 'C');
  assert.equal((await repo.acquire('r3', 'D', 30))?.epoch, 2);
});

test('a write fenced by owner + epoch is refused once the lease changed hands', { skip }, async () => {
  const a = await repo.acquire('f1', 'A', 1);
  assert.ok(a);
  await sql`INSERT INTO notes VALUES ('f1', 'first')`;
  const write = (owner: string, epoch: number | null, body: string) =>
    sql`UPDATE notes SET body = ${body} WHERE session_id = 'f1' AND ${fenceCondition(sql, 'f1', () => ({ owner, epoch }))} RETURNING 1`;
  assert.equal((await write('A', a.epoch, 'by A')).length, 1);
  await until(() => repo.acquire('f1', 'B', 30));
  assert.equal((await write('A', a.epoch, 'late A')).length, 0, 'the old epoch writes nothing');
  assert.equal((await write('A', null, 'late A')).length, 0, 'nor a replica holding no lease while another does');
  assert.equal((await write('B', 2, 'by B')).length, 1);
  assert.equal((await sql`SELECT body FROM notes WHERE session_id = 'f1'`)[0]?.body, 'by B');
  await repo.release('f1', 'B', 2);
  assert.equal((await write('A', null, 'renamed')).length, 1, 'nobody holds it: anyone may write');
});

test('SharedLeases: a replica learns at its next renewal that a lease was taken, and fences its writes', { skip }, async () => {
  const a = new SharedLeases({ repo, replicaId: 'A', ttlSeconds: 1, log });
  const b = new SharedLeases({ repo, replicaId: 'B', ttlSeconds: 30, log });
  const first = await a.acquire('m1');
  assert.deepEqual(first, { held: true, epoch: 1, fresh: true });
  assert.deepEqual(await a.acquire('m1'), { held: true, epoch: 1, fresh: false });
  assert.deepEqual(await b.acquire('m1'), { held: false, holder: 'A' });
  assert.deepEqual(a.fence('m1'), { owner: 'A', epoch: 1 });
  // A is not renewing (as if paused): B takes the lease once it expired; A's renewal then reports it lost.
  await until(async () => ((await b.acquire('m1')).held ? true : undefined));
  const lost = new Promise<string[]>((resolve) => a.start(resolve));
  assert.deepEqual(await lost, ['m1']);
  assert.equal(a.holds('m1'), false);
  assert.deepEqual(a.fence('m1'), { owner: 'A', epoch: null });
  await a.close();
  await b.close();
  assert.ok(((await repo.get('m1'))?.expires_at.getTime() ?? Infinity) <= Date.now() + 1000, 'closing released it');
});

test('the PostgreSQL repositories fence a session row, its turns and its conversation copy by the lease', { skip }, async () => {
  const url = await freshPgDatabase();
  const epochOf = new Map<string, number>();
  const as = (owner: string) => (id: string) => ({ owner, epoch: owner === 'A' ? (epochOf.get(id) ?? null) : 2 });
  const a = await openPostgres(url, { max: 2, fence: as('A') });
  const b = await openPostgres(url, { max: 2, fence: as('B') });
  const own = postgres(url, { max: 1, onnotice: () => {} });
  const leases = new PgLeaseRepository(own);
  try {
    const id = 'aaaaaaaa-0000-4000-8000-000000000001';
    epochOf.set(id, (await leases.acquire(id, 'A', 1))?.epoch ?? 0);
    const now = new Date().toISOString();
    const row = {
      session_id: id,
      user_id: 'default',
      status: 'idle' as const,
      created_at: now,
      last_active_at: now,
      subprocess_pid: null,
      message_count: 2,
      total_cost_usd: 0,
      is_resumable: true,
      terminated_reason: null,
      title: 'by A',
    };
    const turn = { session_id: id, started_at: now, ended_at: now, outcome: 'complete' as const, cost_usd: 0, turn_count: 1 };
    const msg = (text: string) => ({ type: 'user' as const, text, timestamp: now });
    await a.sessions.save(row);
    await a.sessions.recordTurn(turn);
    await a.history.replaceFrom(id, 0, [msg('first')], { bytes: 1, format: 1, count: 1 });
    await until(() => leases.acquire(id, 'B', 30)); // A paused past its lease: B holds it at epoch 2
    await a.sessions.save({ ...row, title: 'late A', message_count: 9 });
    await a.sessions.recordTurn(turn);
    await a.history.replaceFrom(id, 0, [msg('late')], { bytes: 2, format: 1, count: 1 });
    epochOf.delete(id); // A learnt it lost the lease: it holds none now
    await a.sessions.save({ ...row, title: 'later A' });
    assert.equal((await b.sessions.get(id))?.title, 'by A', 'no write of A landed');
    assert.equal((await b.sessions.turnsOf(id)).length, 1);
    assert.equal((await b.history.all(id)).length, 1);
    assert.deepEqual(
      (await b.history.all(id)).map((m) => (m.message as { text?: string }).text),
      ['first'],
    );
    await b.sessions.save({ ...row, title: 'by B', message_count: 4 });
    await b.sessions.recordTurn(turn);
    assert.equal((await a.sessions.get(id))?.title, 'by B');
    assert.equal((await a.sessions.turnsOf(id)).length, 2);
  } finally {
    await Promise.all([a.close(), b.close(), own.end()]);
  }
});
