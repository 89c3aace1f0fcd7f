// Each session's working folder (table `session_workspaces`), written once at creation so a
// resume runs in the same folder (the CLI keeps transcripts per folder) whatever WORKSPACES says now.
import type Database from 'better-sqlite3';

export class WorkspaceRepository {
  private readonly s;

  constructor(private readonly db: Database.Database) {
    this.s = {
      get: db.prepare('SELECT cwd FROM session_workspaces WHERE session_id = ?'),
      set: db.prepare('INSERT OR REPLACE INTO session_workspaces (session_id, cwd) VALUES (?, ?)'),
    };
  }

  cwdOf(sessionId: string): string | undefined {
    return (this.s.get.get(sessionId) as { cwd: string } | undefined)?.cwd;
  }

  record(sessionId: string, cwd: string): void {
    if (!this.db.open) return;
    this.s.set.run(sessionId, cwd);
  }
}
