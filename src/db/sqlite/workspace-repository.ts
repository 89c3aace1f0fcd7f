// Each session's working folder (table `session_workspaces`), written once at creation so a
// resume runs in the same folder (the CLI keeps transcripts per folder) whatever WORKSPACES says now.
import type Database from 'better-sqlite3';
import type { WorkspaceRepository } from '../ports.js';

export class SqliteWorkspaceRepository implements WorkspaceRepository {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      get: db.prepare('SELECT cwd FROM session_workspaces WHERE session_id = ?'),
      set: db.prepare('INSERT OR REPLACE INTO session_workspaces (session_id, cwd) VALUES (?, ?)'),
    };
  }

  async cwdOf(sessionId: string): Promise<string | undefined> {
    return (this.s.get.get(sessionId) as { cwd: string } | undefined)?.cwd;
  }

  async record(sessionId: string, cwd: string): Promise<void> {
    if (!this.db.open) return;
    this.s.set.run(sessionId, cwd);
  }
}
