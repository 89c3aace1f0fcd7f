// The two writes the session list's Archive and Delete need, outside the session's own row
// writes (save never touches archived_at, and a deleted session's rows go here at once).
import type Database from 'better-sqlite3';
import type { SessionRemovalRepository } from '../ports.js';

export class SqliteSessionRemovalRepository implements SessionRemovalRepository {
  private readonly archive;
  private readonly purge;

  constructor(private readonly db: Database.Database) {
    this.archive = db.prepare('UPDATE sessions SET archived_at = ? WHERE session_id = ?');
    const deletes = [
      'DELETE FROM sessions WHERE session_id = ?',
      'DELETE FROM turns WHERE session_id = ?',
      // The full-text index follows history_messages through its trigger; title_fts has no delete trigger.
      'DELETE FROM history_messages WHERE session_id = ?',
      'DELETE FROM history_sources WHERE session_id = ?',
      'DELETE FROM title_fts WHERE session_id = ?',
      'DELETE FROM session_workspaces WHERE session_id = ?',
    ].map((sql) => db.prepare(sql));
    this.purge = db.transaction((id: string) => {
      for (const d of deletes) d.run(id);
    });
  }

  /** Archives (`at`: when) or restores (null) a session. */
  async setArchived(sessionId: string, at: string | null): Promise<void> {
    if (!this.db.open) return;
    this.archive.run(at, sessionId);
  }

  /** Every stored row of a session: its metadata, turns, conversation copy and search entries. */
  async deleteSession(sessionId: string): Promise<void> {
    if (!this.db.open) return;
    this.purge(sessionId);
  }
}
