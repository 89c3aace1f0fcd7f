// Conversations as stored messages on PostgreSQL, with search over them and the session titles
// (ports.ts, HistoryRepository; the semantics FTS5 gives on SQLite, through postgres/search-tokens.ts).
import type { HistoryMessage } from '../../protocol/messages.js';
import type { HistoryRepository, HistorySource, StoredMessage } from '../ports.js';
import { searchTextOf } from '../search-words.js';
import type { PgDatabase } from './connection.js';
import { fenceCondition } from './fence-sql.js';
import { snippetOf, tsqueryLiteral, tsvectorLiteral } from './search-tokens.js';

/** Rows per INSERT (7 parameters each, under PostgreSQL's 65,535). */
const BATCH = 1000;

const stored = (r: readonly { pos: number; body: string }[]): StoredMessage[] =>
  r.map((m) => ({ pos: m.pos, message: JSON.parse(m.body) as HistoryMessage }));

export class PgHistoryRepository implements HistoryRepository {
  constructor(private readonly db: PgDatabase) {}

  private get sql() {
    return this.db.sql;
  }

  async source(sessionId: string): Promise<HistorySource | undefined> {
    const [r] = await this.sql<HistorySource[]>`SELECT bytes, format, count FROM history_sources WHERE session_id = ${sessionId}`;
    return r ? { bytes: r.bytes, format: r.format, count: r.count } : undefined;
  }

  async replaceFrom(sessionId: string, from: number, messages: HistoryMessage[], source: HistorySource): Promise<void> {
    await this.db.write(undefined, async (sql) => {
      const rows = messages.map((m, i) => {
        const text = searchTextOf(m);
        return {
          session_id: sessionId,
          pos: from + i,
          type: m.type,
          body: JSON.stringify(m),
          search_text: text,
          search: tsvectorLiteral(text),
        };
      });
      await sql.begin(async (tx) => {
        // Fenced: the lease row is held still until commit, so it cannot change hands in the middle.
        await tx`SELECT 1 FROM session_leases WHERE session_id = ${sessionId} FOR SHARE`;
        const [ok] = await tx`SELECT ${fenceCondition(sql, sessionId, this.db.fence)} AS ok`;
        if (!ok?.ok) return;
        await tx`DELETE FROM history_messages WHERE session_id = ${sessionId} AND pos >= ${from}`;
        for (let i = 0; i < rows.length; i += BATCH) {
          await tx`INSERT INTO history_messages ${tx(rows.slice(i, i + BATCH), 'session_id', 'pos', 'type', 'body', 'search_text', 'search')}`;
        }
        await tx`INSERT INTO history_sources (session_id, bytes, format, count)
                 VALUES (${sessionId}, ${source.bytes}, ${source.format}, ${source.count})
                 ON CONFLICT (session_id) DO UPDATE SET bytes = excluded.bytes, format = excluded.format, count = excluded.count`;
      });
    });
  }

  async turnStartAtOrBefore(sessionId: string, pos: number): Promise<number> {
    const [r] = await this.sql<{ pos: number | null }[]>`
      SELECT MAX(pos) AS pos FROM history_messages WHERE session_id = ${sessionId} AND pos <= ${pos} AND type = 'user'`;
    return r?.pos ?? 0;
  }

  async lastUserWithText(sessionId: string, text: string): Promise<number | undefined> {
    const [r] = await this.sql<{ pos: number | null }[]>`
      SELECT MAX(pos) AS pos FROM history_messages WHERE session_id = ${sessionId} AND type = 'user' AND search_text = ${text}`;
    return r?.pos ?? undefined;
  }

  async range(sessionId: string, from: number, to: number): Promise<StoredMessage[]> {
    return stored(
      await this.sql<{ pos: number; body: string }[]>`
        SELECT pos, body FROM history_messages WHERE session_id = ${sessionId} AND pos >= ${from} AND pos < ${to} ORDER BY pos`,
    );
  }

  async all(sessionId: string): Promise<StoredMessage[]> {
    return stored(
      await this.sql<{ pos: number; body: string }[]>`SELECT pos, body FROM history_messages WHERE session_id = ${sessionId} ORDER BY pos`,
    );
  }

  async unsynced(format: number): Promise<string[]> {
    if (this.db.closed) return [];
    const r = await this.sql<{ session_id: string }[]>`
      SELECT s.session_id FROM sessions s LEFT JOIN history_sources h ON h.session_id = s.session_id
      WHERE h.session_id IS NULL OR h.format != ${format} ORDER BY s.last_active_at DESC, s.session_id DESC`;
    return r.map((x) => x.session_id);
  }

  async search(q: string): Promise<Map<string, number | undefined>> {
    const hits = new Map<string, number | undefined>();
    const query = tsqueryLiteral(q);
    if (!query) return hits;
    const messages = await this.sql<{ session_id: string; id: number }[]>`
      SELECT session_id, MAX(id) AS id FROM history_messages WHERE search @@ ${query}::tsquery GROUP BY session_id`;
    for (const r of messages) hits.set(r.session_id, r.id);
    const titles = await this.sql<{ session_id: string }[]>`
      SELECT session_id FROM sessions WHERE title_search @@ ${query}::tsquery LIMIT 2000`;
    for (const r of titles) if (!hits.has(r.session_id)) hits.set(r.session_id, undefined);
    return hits;
  }

  async snippet(q: string, id: number): Promise<string | undefined> {
    const query = tsqueryLiteral(q);
    if (!query) return undefined;
    const [r] = await this.sql<{ search_text: string }[]>`
      SELECT search_text FROM history_messages WHERE id = ${id} AND search @@ ${query}::tsquery`;
    return r ? snippetOf(r.search_text, q) : undefined;
  }
}
