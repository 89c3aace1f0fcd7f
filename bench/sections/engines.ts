// The two storage engines side by side, through the same interfaces (db/ports.ts), on the same data in one run:
// 10,000 stored sessions (titles) and 20,000 stored messages, then the reads the session list and search make.
// SQLite is a file in a temp folder; PostgreSQL a throwaway cluster on loopback (src/testing/pg-cluster.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Repositories, SessionMetadata } from '../../src/db/ports.js';
import { openPostgres } from '../../src/db/postgres/open-postgres.js';
import { openSqlite } from '../../src/db/sqlite/open-sqlite.js';
import type { HistoryMessage } from '../../src/protocol/messages.js';
import { pgSkipReason, startPgCluster } from '../../src/testing/pg-cluster.js';
import type { BenchConfig } from '../lib/config.js';
import { dist, type Json, round, timed } from '../lib/util.js';

const WORDS = ['deploy', 'retry', 'cache', 'index', 'lease', 'replica', 'schema', 'token', 'stream', 'budget', 'audit', 'worker'];

async function seed(r: Repositories, sessions: number): Promise<void> {
  const base = Date.UTC(2026, 0, 1);
  for (let i = 0; i < sessions; i++) {
    const at = new Date(base + i * 60_000).toISOString();
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const m: SessionMetadata = {
      session_id: id,
      user_id: i % 10 === 0 ? 'u1' : 'default',
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
    await r.sessions.save(m);
    const w = (k: number) => WORDS[(i + k) % WORDS.length];
    const messages: HistoryMessage[] = [
      { type: 'user', text: `please ${w(0)} the ${w(1)} of session ${i}`, timestamp: at },
      {
        type: 'assistant',
        text: `The ${w(2)} and the ${w(3)} were retried; idempotency ${i % 50 === 0 ? 'kept' : 'held'}.`,
        timestamp: at,
      },
    ];
    await r.history.replaceFrom(id, 0, messages, { bytes: 1, format: 1, count: 2 });
  }
}

async function measure(r: Repositories, n: number) {
  const first = await r.sessions.listPage({ limit: 50 });
  const last = first[first.length - 1] as SessionMetadata;
  const cursor = { last_active_at: last.last_active_at, session_id: last.session_id };
  // Search as the chat service does it: the hits, their rows (a page of 100), snippets for that page.
  const search = async (q: string) => {
    const hits = await r.history.search(q);
    const page = await r.sessions.listOf([...hits.keys()], { limit: 100 });
    for (const m of page) {
      const row = hits.get(m.session_id);
      if (row !== undefined) await r.history.snippet(q, row);
    }
    return page.length;
  };
  return {
    list_100_ms: dist(await timed(n, () => r.sessions.listPage({ limit: 100 })), 2),
    list_50_second_page_ms: dist(await timed(n, () => r.sessions.listPage({ limit: 50, cursor })), 2),
    list_one_user_100_ms: dist(await timed(n, () => r.sessions.listPage({ limit: 100, userId: 'u1' })), 2),
    search_title_ms: dist(await timed(n, () => search('topic 42')), 2),
    search_messages_ms: dist(await timed(n, () => search('idempotency kept')), 2),
    search_prefix_many_hits_ms: dist(await timed(n, () => search('retr')), 2),
  };
}

export async function engines(cfg: BenchConfig, log: (s: string) => void): Promise<Json> {
  const skip = pgSkipReason();
  if (skip) {
    log(`[engines] skipped: ${skip}`);
    return { skipped: skip };
  }
  const sessions = cfg.listSessions;
  const n = Math.max(cfg.listRequests, 10);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-bench-engines-'));
  const cluster = await startPgCluster();
  const out: Record<string, Json> = { sessions, messages: sessions * 2, requests: n };
  try {
    for (const [name, open] of [
      ['sqlite', () => openSqlite(path.join(dir, 'sessions.db'))],
      ['postgres', async () => openPostgres(await cluster.database())],
    ] as const) {
      const r = await open();
      try {
        const t0 = performance.now();
        await seed(r, sessions);
        const seedMs = performance.now() - t0;
        out[name] = { seed_ms: round(seedMs, 0), ...(await measure(r, n)) };
        log(`[engines] ${name}: ${JSON.stringify(out[name])}`);
      } finally {
        await r.close();
      }
    }
    const p = out.postgres as Record<string, { p50?: number }>;
    const s = out.sqlite as Record<string, { p50?: number }>;
    out.ratio_postgres_sqlite_p50 = Object.fromEntries(
      Object.keys(p)
        .filter((k) => typeof p[k] === 'object')
        .map((k) => [k, round((p[k]?.p50 ?? 0) / (s[k]?.p50 || 1), 2)]),
    );
  } finally {
    await cluster.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
