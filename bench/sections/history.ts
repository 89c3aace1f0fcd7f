// Long conversations and many sessions (issue 13). A 2,000-turn conversation opens
// (switch_session -> session_history) next to a 10-turn one, alternating, in one run;
// "before" is what every open cost until the SQLite copy: parsing the whole transcript
// (measured in this process on the same files, as src/core/conversations/history.ts did). Then
// GET /api/v1/sessions with 10,000 sessions stored.
// Each conversation starts with one real turn (so the CLI writes its transcript, in its
// own format, where it looks for it); the rest are synthetic turns appended in that format
// (src/testing/synthetic-transcript.ts) while its CLI is stopped. No model is called for them.
import fs from 'node:fs';
import path from 'node:path';
import { getSessionMessages, type SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import Database from 'better-sqlite3';
import { historyFromTranscript } from '../../src/core/sessions/turn-translator.js';
import { appendSyntheticTurns } from '../../src/testing/synthetic-transcript.js';
import { BenchClient } from '../lib/client.js';
import type { BenchConfig } from '../lib/config.js';
import type { ServerProc } from '../lib/procs.js';
import { dist, type Json, round, timed } from '../lib/util.js';

function transcriptOf(dir: string, id: string): string {
  const projects = path.join(dir, 'claude-config', 'projects');
  for (const d of fs.readdirSync(projects)) {
    const f = path.join(projects, d, `${id}.jsonl`);
    if (fs.existsSync(f)) return f;
  }
  throw new Error(`no transcript for ${id}`);
}

/** What an open cost before the copy: read and parse the whole transcript (the old History.load). */
async function parseWhole(file: string, id: string, projectDir: string): Promise<{ ms: number; messages: number }> {
  const t0 = performance.now();
  const entries: SessionStoreEntry[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) if (line.trim()) entries.push(JSON.parse(line) as SessionStoreEntry);
  const raw = await getSessionMessages(id, {
    dir: projectDir,
    sessionStore: { append: async () => {}, load: async () => entries },
  });
  const messages = historyFromTranscript(raw as Parameters<typeof historyFromTranscript>[0]).length;
  return { ms: performance.now() - t0, messages };
}

async function open(client: BenchClient, id: string): Promise<{ ms: number; messages: number; has_more: boolean }> {
  const got = client.wait((f) => f.type === 'session_history' && f.session_id === id, 120_000, 'session_history');
  const t0 = client.send({ type: 'switch_session', session_id: id });
  const { f, at } = await got;
  return { ms: at - t0, messages: (f.messages as unknown[]).length, has_more: f.has_more === true };
}

export async function history(cfg: BenchConfig, server: ServerProc, log: (s: string) => void): Promise<Json> {
  const client = await BenchClient.connect(server.wsUrl, server.key);
  const projectDir = server.env.PROJECT_DIR as string;
  const sizes = { small: cfg.historySmallTurns, big: cfg.historyBigTurns };
  const ids: Record<string, string> = {};
  for (const [name, turns] of Object.entries(sizes)) {
    const id = (await client.create()).id;
    const t = await client.turn(id, 'say: The first answer.');
    if (!t.ok) throw new Error(`first turn failed: ${t.end}`);
    await client.destroy(id);
    const file = transcriptOf(server.dir, id);
    appendSyntheticTurns(file, turns - 1, { toolEvery: 5, startAt: 2 });
    ids[name] = id;
    log(`[history] ${name}: ${turns} turns, transcript ${round(fs.statSync(file).size / 1048576, 2)} MB`);
  }
  const out: Record<string, Json> = { turns: sizes };

  // Before: the whole transcript parsed on every open.
  const before: Record<string, Json> = {};
  for (const [name, id] of Object.entries(ids)) {
    const file = transcriptOf(server.dir, id);
    const xs: number[] = [];
    let messages = 0;
    for (let i = 0; i < Math.min(cfg.historyOpens, 10); i++) {
      const r = await parseWhole(file, id, projectDir);
      xs.push(r.ms);
      messages = r.messages;
    }
    before[name] = { parse_ms: dist(xs, 2), messages };
  }
  out.before_parse_whole_transcript = before;

  // First open: the server catches its copy up with the transcript (once per session).
  const first: Record<string, Json> = {};
  for (const [name, id] of Object.entries(ids)) first[name] = (await open(client, id)).ms;
  out.first_open_ms = first;

  // Then side by side, alternating.
  const opens: Record<string, number[]> = { small: [], big: [] };
  let page: Record<string, Json> = {};
  for (let i = 0; i < cfg.historyOpens; i++)
    for (const [name, id] of Object.entries(ids)) {
      const r = await open(client, id);
      opens[name]?.push(r.ms);
      page = { ...page, [name]: { messages: r.messages, has_more: r.has_more } };
    }
  const small = dist(opens.small as number[], 2);
  const big = dist(opens.big as number[], 2);
  out.open_ms = { small, big };
  out.page = page;
  out.open_ratio_big_small_p50 = round(big.p50 / small.p50, 2);
  log(
    `[history] open p50: ${sizes.small} turns ${small.p50} ms, ${sizes.big} turns ${big.p50} ms (ratio ${out.open_ratio_big_small_p50}); before: ${JSON.stringify(before)}`,
  );
  for (const id of Object.values(ids)) await client.destroy(id).catch(() => undefined);
  await client.close();

  // Many stored sessions: written straight into the server's database (WAL allows a second writer).
  const dbPath = (server.env.DATABASE_URL as string).replace(/^sqlite:\/\//, '');
  const db = new Database(dbPath);
  db.pragma('busy_timeout = 5000');
  const insert = db.prepare(
    `INSERT INTO sessions (session_id, user_id, status, created_at, last_active_at, message_count, total_cost_usd, is_resumable, terminated_reason, title)
     VALUES (?, 'default', 'terminated', ?, ?, 4, 0.01, 1, 'server_restart', ?)`,
  );
  const base = Date.now() - cfg.listSessions * 60_000;
  db.transaction(() => {
    for (let i = 0; i < cfg.listSessions; i++) {
      const at = new Date(base + i * 60_000).toISOString();
      insert.run(crypto.randomUUID(), at, at, `Stored session ${i} about topic ${i % 97}`);
    }
  })();
  const stored = (db.prepare('SELECT COUNT(*) AS n FROM sessions').get() as { n: number }).n;
  db.close();
  const get = async (p: string) => {
    const r = await server.api('GET', p);
    if (r.status !== 200) throw new Error(`GET ${p}: ${r.status}`);
    return r.body;
  };
  const firstPage = (await get('/api/v1/sessions?limit=50')) as { sessions: unknown[]; next_cursor: string };
  const list = {
    sessions_stored: stored,
    default_page_ms: dist(await timed(cfg.listRequests, () => get('/api/v1/sessions')), 2),
    limit_50_ms: dist(await timed(cfg.listRequests, () => get('/api/v1/sessions?limit=50')), 2),
    limit_50_second_page_ms: dist(
      await timed(cfg.listRequests, () => get(`/api/v1/sessions?limit=50&cursor=${encodeURIComponent(firstPage.next_cursor)}`)),
      2,
    ),
    search_title_ms: dist(await timed(cfg.listRequests, () => get('/api/v1/sessions?q=topic%2042')), 2),
    search_messages_ms: dist(await timed(cfg.listRequests, () => get('/api/v1/sessions?q=idempotency%20retried')), 2),
  };
  out.list = list;
  log(
    `[history] ${stored} sessions: GET default page p50 ${list.default_page_ms.p50} ms p95 ${list.default_page_ms.p95}; limit=50 p50 ${list.limit_50_ms.p50} p95 ${list.limit_50_ms.p95}; search p50 ${list.search_messages_ms.p50}`,
  );
  return out;
}
