// Conversations as stored messages: a copy of what the CLI's transcript holds, kept in
// step with it (see core/conversations/history.ts), so a page of a long conversation is one indexed
// read, and message text is searchable (FTS5) with the session titles.
import type Database from 'better-sqlite3';
import type { HistoryMessage } from '../../protocol/messages.js';
import type { HistoryRepository, HistorySource, StoredMessage } from '../ports.js';
import { searchTextOf, searchWords } from '../search-words.js';

/**
 * A search box's words as an FTS5 query: every word must occur, each as a prefix
 * ("deplo" finds "deploy"). Only letters and digits pass, so no input is FTS5 syntax.
 */
function ftsQuery(q: string): string | null {
  const words = searchWords(q);
  return words.length > 0 ? words.map((w) => `"${w}"*`).join(' ') : null;
}

export class SqliteHistoryRepository implements HistoryRepository {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      source: db.prepare('SELECT bytes, format, count FROM history_sources WHERE session_id = ?'),
      setSource: db.prepare(
        `INSERT INTO history_sources (session_id, bytes, format, count) VALUES (?, ?, ?, ?)
         ON CONFLICT(session_id) DO UPDATE SET bytes = excluded.bytes, format = excluded.format, count = excluded.count`,
      ),
      deleteFrom: db.prepare('DELETE FROM history_messages WHERE session_id = ? AND pos >= ?'),
      insert: db.prepare('INSERT INTO history_messages (session_id, pos, type, body, search_text) VALUES (?, ?, ?, ?, ?)'),
      // The newest user message at or before `pos`: a page starts at a turn's first message.
      turnStart: db.prepare("SELECT MAX(pos) AS pos FROM history_messages WHERE session_id = ? AND pos <= ? AND type = 'user'"),
      lastUser: db.prepare("SELECT MAX(pos) AS pos FROM history_messages WHERE session_id = ? AND type = 'user' AND search_text = ?"),
      range: db.prepare('SELECT pos, body FROM history_messages WHERE session_id = ? AND pos >= ? AND pos < ? ORDER BY pos'),
      all: db.prepare('SELECT pos, body FROM history_messages WHERE session_id = ? ORDER BY pos'),
      unsynced: db.prepare(
        `SELECT s.session_id FROM sessions s LEFT JOIN history_sources h ON h.session_id = s.session_id
         WHERE h.session_id IS NULL OR h.format != ? ORDER BY s.last_active_at DESC`,
      ),
      // The newest matching message of each session (snippets are made later, for the page shown only).
      searchMessages: db.prepare(
        `SELECT m.session_id AS session_id, MAX(m.id) AS id
         FROM history_fts JOIN history_messages m ON m.id = history_fts.rowid
         WHERE history_fts MATCH ? GROUP BY m.session_id`,
      ),
      // The cast matters: a JS number is bound as a REAL, and FTS5 then ignores the rowid constraint
      // (every matching message came back, and .get() took the first: another message's snippet).
      snippet: db.prepare(
        "SELECT snippet(history_fts, 0, '', '', '…', 16) AS snippet FROM history_fts WHERE history_fts MATCH ? AND rowid = CAST(? AS INTEGER)",
      ),
      searchTitles: db.prepare('SELECT session_id FROM title_fts WHERE title_fts MATCH ? LIMIT 2000'),
    };
  }

  async source(sessionId: string): Promise<HistorySource | undefined> {
    return this.stmts.source.get(sessionId) as HistorySource | undefined;
  }

  /** Replaces the messages from position `from` on with `messages` (positions from, from+1, ...) and records the source. */
  async replaceFrom(sessionId: string, from: number, messages: HistoryMessage[], source: HistorySource): Promise<void> {
    if (!this.db.open) return;
    this.db.transaction(() => {
      this.stmts.deleteFrom.run(sessionId, from);
      messages.forEach((m, i) => {
        this.stmts.insert.run(sessionId, from + i, m.type, JSON.stringify(m), searchTextOf(m));
      });
      this.stmts.setSource.run(sessionId, source.bytes, source.format, source.count);
    })();
  }

  /** Where the turn holding position `pos` starts (0 when no user message comes before it). */
  async turnStartAtOrBefore(sessionId: string, pos: number): Promise<number> {
    return ((this.stmts.turnStart.get(sessionId, pos) as { pos: number | null }).pos ?? 0) as number;
  }

  /** Position of the newest user message with exactly this text, if stored. */
  async lastUserWithText(sessionId: string, text: string): Promise<number | undefined> {
    return ((this.stmts.lastUser.get(sessionId, text) as { pos: number | null }).pos ?? undefined) as number | undefined;
  }

  /** Messages at positions [from, to). */
  async range(sessionId: string, from: number, to: number): Promise<StoredMessage[]> {
    return (this.stmts.range.all(sessionId, from, to) as { pos: number; body: string }[]).map((r) => ({
      pos: r.pos,
      message: JSON.parse(r.body) as HistoryMessage,
    }));
  }

  async all(sessionId: string): Promise<StoredMessage[]> {
    return (this.stmts.all.all(sessionId) as { pos: number; body: string }[]).map((r) => ({
      pos: r.pos,
      message: JSON.parse(r.body) as HistoryMessage,
    }));
  }

  /** Sessions whose conversation was never read (or read by an older conversion), most recently used first. */
  async unsynced(format: number): Promise<string[]> {
    if (!this.db.open) return [];
    return (this.stmts.unsynced.all(format) as { session_id: string }[]).map((r) => r.session_id);
  }

  /**
   * Sessions whose title or one message has every word of `q`: for each, the row id of
   * its newest matching message (undefined when only the title matched).
   */
  async search(q: string): Promise<Map<string, number | undefined>> {
    const hits = new Map<string, number | undefined>();
    const match = ftsQuery(q);
    if (!match) return hits;
    for (const r of this.stmts.searchMessages.all(match) as { session_id: string; id: number }[]) hits.set(r.session_id, r.id);
    for (const r of this.stmts.searchTitles.all(match) as { session_id: string }[])
      if (!hits.has(r.session_id)) hits.set(r.session_id, undefined);
    return hits;
  }

  /** Words around the match of `q` in one message (a row id from search). */
  async snippet(q: string, id: number): Promise<string | undefined> {
    const match = ftsQuery(q);
    if (!match) return undefined;
    return (this.stmts.snippet.get(match, id) as { snippet: string } | undefined)?.snippet;
  }
}
