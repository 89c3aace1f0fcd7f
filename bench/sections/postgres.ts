// Issue 21: the same server on SQLite and on PostgreSQL, side by side in one run.
// 1. First-delta latency of a pre-warmed session on each, alternating turns (the PostgreSQL one also
//    mirrors its transcript to the store as the CLI writes it): the ratio of the medians.
// 2. 10,000 stored sessions (a title and a two-message conversation each, the same rows in both engines,
//    written through the repositories): list pages and search over REST, alternating. `search_messages_all`
//    matches every session (the worst case), `search_messages_one` a single one.
// 3. Failover: two replicas on one database; the holder of a session is killed (SIGKILL) and the same
//    session's next message goes to the other replica: time from the kill to the first streamed delta
//    (bounded below by what was left of the dead replica's lease, SESSION_LEASE_SECONDS).
// PostgreSQL is a throwaway cluster (src/testing/pg-cluster.ts), removed at the end.
import { HISTORY_FORMAT } from '../../src/core/conversations/history.js';
import type { Repositories, SessionMetadata } from '../../src/db/ports.js';
import { openPostgres } from '../../src/db/postgres/open-postgres.js';
import { openSqlite } from '../../src/db/sqlite/open-sqlite.js';
import type { HistoryMessage } from '../../src/protocol/messages.js';
import { pgSkipReason, startPgCluster } from '../../src/testing/pg-cluster.js';
import { BenchClient } from '../lib/client.js';
import type { BenchConfig } from '../lib/config.js';
import { type ServerProc, startServer } from '../lib/procs.js';
import { dist, type Json, median, round } from '../lib/util.js';
import { waitPool } from './overhead.js';

const WORDS = ['deploy', 'retry', 'idempotency', 'cache', 'migration', 'lease', 'replica', 'parser', 'socket', 'budget'];

async function firstDeltas(cfg: BenchConfig, servers: Record<string, ServerProc>, log: (s: string) => void): Promise<Json> {
  const sides = Object.keys(servers);
  const clients: Record<string, BenchClient> = {};
  const ids: Record<string, string> = {};
  const xs: Record<string, number[]> = {};
  let failures = 0;
  for (const side of sides) {
    const s = servers[side] as ServerProc;
    await waitPool(s);
    clients[side] = await BenchClient.connect(s.wsUrl, s.key);
    const created = await (clients[side] as BenchClient).create();
    ids[side] = created.id;
    xs[side] = [];
    log(`  [${side}] session ${created.source} in ${round(created.ms)} ms`);
    const warm = await (clients[side] as BenchClient).turn(created.id, 'say: warm-up turn');
    if (!warm.ok) throw new Error(`${side}: warm-up turn failed: ${warm.end}`);
  }
  for (let i = 0; i < cfg.overheadTurns; i++) {
    const order = i % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const r = await (clients[side] as BenchClient).turn(ids[side] as string, `say: turn ${i} answer ${'x'.repeat(40)}`);
      if (!r.ok || !Number.isFinite(r.firstDeltaMs)) failures++;
      else (xs[side] as number[]).push(r.firstDeltaMs);
    }
  }
  for (const c of Object.values(clients)) await c.close();
  const sqlite = xs.sqlite as number[];
  const postgres = xs.postgres as number[];
  const out = {
    turns_each: cfg.overheadTurns,
    failures,
    sqlite_first_delta_ms: dist(sqlite, 2),
    postgres_first_delta_ms: dist(postgres, 2),
    ratio_p50: round(median(postgres) / median(sqlite), 3),
  };
  log(
    `[postgres] first delta p50: SQLite ${out.sqlite_first_delta_ms.p50} ms, PostgreSQL ${out.postgres_first_delta_ms.p50} ms (ratio ${out.ratio_p50})`,
  );
  return out;
}

/** The same n sessions in each engine, each with a title and a two-message conversation. */
async function seed(repos: Repositories, n: number): Promise<void> {
  const base = Date.now() - n * 60_000;
  const one = async (i: number) => {
    const at = new Date(base + i * 60_000).toISOString();
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const meta: SessionMetadata = {
      session_id: id,
      user_id: 'default',
      status: 'terminated',
      created_at: at,
      last_active_at: at,
      subprocess_pid: null,
      message_count: 2,
      total_cost_usd: 0.01,
      is_resumable: true,
      terminated_reason: 'server_restart',
      title: `Stored session ${i} about topic ${i % 97}`,
    };
    await repos.sessions.save(meta);
    const w = (k: number) => WORDS[(i + k) % WORDS.length];
    const messages: HistoryMessage[] = [
      { type: 'user', text: `Why does the ${w(0)} ${w(3)} fail after ${i % 13} retries?`, timestamp: at },
      { type: 'assistant', text: `The ${w(1)} is retried without idempotency; the ${w(2)} keeps state ${i}.`, timestamp: at },
    ];
    await repos.history.replaceFrom(id, 0, messages, { bytes: 0, format: HISTORY_FORMAT, count: messages.length });
  };
  for (let i = 0; i < n; i += 50) await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => one(i + k)));
}

async function listAndSearch(cfg: BenchConfig, servers: Record<string, ServerProc>, log: (s: string) => void): Promise<Json> {
  const get = async (s: ServerProc, p: string) => {
    const r = await s.api('GET', p);
    if (r.status !== 200) throw new Error(`GET ${p}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    return r.body;
  };
  const queries: Record<string, string> = {
    default_page: '/api/v1/sessions',
    limit_50: '/api/v1/sessions?limit=50',
    search_title: '/api/v1/sessions?q=topic%2042',
    search_messages_all: '/api/v1/sessions?q=idempotency%20retried',
    search_messages_one: '/api/v1/sessions?q=state%204242',
    search_prefix: '/api/v1/sessions?q=migr%20pars',
  };
  const out: Record<string, Json> = {};
  const hits: Record<string, Record<string, number>> = {};
  for (const [name, p] of Object.entries(queries)) {
    const xs: Record<string, number[]> = { sqlite: [], postgres: [] };
    for (let i = 0; i < cfg.listRequests; i++)
      for (const side of i % 2 === 0 ? ['sqlite', 'postgres'] : ['postgres', 'sqlite']) {
        const t0 = performance.now();
        const body = await get(servers[side] as ServerProc, p);
        (xs[side] as number[]).push(performance.now() - t0);
        (hits[name] ??= {})[side] = (body.sessions as unknown[]).length;
      }
    const a = dist(xs.sqlite as number[], 2);
    const b = dist(xs.postgres as number[], 2);
    out[name] = { sqlite_ms: a, postgres_ms: b, ratio_p50: round(b.p50 / a.p50, 2), sessions_returned: hits[name] };
    log(`[postgres] ${name}: SQLite p50 ${a.p50} p95 ${a.p95} ms; PostgreSQL p50 ${b.p50} p95 ${b.p95} ms (${JSON.stringify(hits[name])})`);
  }
  return out;
}

/**
 * Two replicas on one database; the holder of a session is killed (SIGKILL) and the session's next message
 * goes to the survivor, which waits for the dead one's lease to expire, takes it and resumes the conversation
 * from the transcript store. The survivor is the next round's holder, next to a fresh replica.
 */
async function failover(modelUrl: string, url: string, samples: number, leaseSeconds: number, log: (s: string) => void): Promise<Json> {
  const env = (id: string) => ({ PREWARM_POOL_SIZE: '0', DATABASE_URL: url, REPLICA_ID: id, SESSION_LEASE_SECONDS: String(leaseSeconds) });
  let holder = await startServer(modelUrl, env('replica-0'));
  const started: ServerProc[] = [holder];
  const xs: number[] = [];
  const resumed: number[] = [];
  let failures = 0;
  try {
    for (let i = 0; i < samples; i++) {
      const survivor = await startServer(modelUrl, env(`replica-${i + 1}`));
      started.push(survivor);
      const a = await BenchClient.connect(holder.wsUrl, holder.key);
      const id = (await a.create()).id;
      const first = await a.turn(id, 'say: the first answer, before the kill');
      if (!first.ok) throw new Error(`first turn failed: ${first.end}`);
      holder.cliPids(); // remember its CLIs: killed with the server at the end
      const b = await BenchClient.connect(survivor.wsUrl, survivor.key);
      const t0 = performance.now();
      process.kill(holder.pid, 'SIGKILL');
      const r = await b.turn(id, 'say: answered by the survivor', 120_000);
      await a.close().catch(() => undefined);
      await b.close();
      if (!r.ok || !Number.isFinite(r.firstAt)) {
        failures++;
        log(`  [failover] ${i}: ${r.end}`);
      } else {
        xs.push(r.firstAt - t0);
        resumed.push(r.firstDeltaMs);
      }
      holder = survivor;
    }
  } finally {
    for (const s of started) await s.stop().catch(() => undefined);
  }
  const out = { samples, failures, lease_seconds: leaseSeconds, kill_to_first_delta_ms: dist(xs, 0) };
  log(
    `[postgres] failover, lease ${leaseSeconds} s: kill -> first delta on the survivor p50 ${out.kill_to_first_delta_ms.p50} ms (${failures} failures)`,
  );
  return out;
}

export async function postgresSection(cfg: BenchConfig, modelUrl: string, log: (s: string) => void): Promise<Json> {
  const skip = pgSkipReason();
  if (skip) {
    log(`[postgres] skipped: ${skip}`);
    return { skipped: skip };
  }
  const cluster = await startPgCluster();
  const servers: Record<string, ServerProc> = {};
  try {
    const url = await cluster.database();
    // Searches are "expensive requests", limited per user: not what is measured here.
    const env = { PREWARM_POOL_SIZE: '1', EXPENSIVE_REQUESTS_PER_MINUTE: '100000' };
    servers.sqlite = await startServer(modelUrl, env);
    servers.postgres = await startServer(modelUrl, { ...env, DATABASE_URL: url });
    const out: Record<string, Json> = {};
    out.first_delta = await firstDeltas(cfg, servers, log);

    const t0 = performance.now();
    const sqliteFile = (servers.sqlite.env.DATABASE_URL as string).replace(/^sqlite:\/\//, '');
    const engines = [await openSqlite(sqliteFile), await openPostgres(url, { max: 8 })];
    try {
      await Promise.all(engines.map((r) => seed(r, cfg.listSessions)));
    } finally {
      for (const r of engines) await r.close();
    }
    log(`[postgres] ${cfg.listSessions} sessions written to each engine in ${round((performance.now() - t0) / 1000, 1)} s`);
    out.list = { sessions_stored: cfg.listSessions, ...(await listAndSearch(cfg, servers, log)) };
    for (const s of Object.values(servers)) await s.stop().catch(() => undefined);
    for (const k of Object.keys(servers)) delete servers[k];
    // The default lease (15 s) bounds the failover; a database of its own, so the 10,000 rows do not weigh on it.
    out.failover = await failover(modelUrl, await cluster.database(), cfg.quick ? 2 : 3, 15, log);
    return out;
  } finally {
    for (const s of Object.values(servers)) await s.stop().catch(() => undefined);
    await cluster.stop();
  }
}
