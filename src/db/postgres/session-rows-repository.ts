// Archive and delete of a session's rows, and each session's working folder, on PostgreSQL
// (ports.ts, SessionRemovalRepository and WorkspaceRepository).
import type { SessionRemovalRepository, WorkspaceRepository } from '../ports.js';
import type { PgDatabase } from './connection.js';

export class PgSessionRemovalRepository implements SessionRemovalRepository {
  constructor(private readonly db: PgDatabase) {}

  async setArchived(sessionId: string, at: string | null): Promise<void> {
    await this.db.write(undefined, async (sql) => {
      await sql`UPDATE sessions SET archived_at = ${at} WHERE session_id = ${sessionId}`;
    });
  }

  async deleteSession(sessionId: string): Promise<void> {
    await this.db.write(undefined, (sql) =>
      sql.begin(async (tx) => {
        // The title's search entry is a column of the row; the messages' entries are theirs.
        for (const table of ['sessions', 'turns', 'history_messages', 'history_sources', 'session_workspaces'])
          await tx.unsafe(`DELETE FROM ${table} WHERE session_id = $1`, [sessionId]);
      }),
    );
  }
}

export class PgWorkspaceRepository implements WorkspaceRepository {
  constructor(private readonly db: PgDatabase) {}

  async cwdOf(sessionId: string): Promise<string | undefined> {
    const [r] = await this.db.sql<{ cwd: string }[]>`SELECT cwd FROM session_workspaces WHERE session_id = ${sessionId}`;
    return r?.cwd;
  }

  async record(sessionId: string, cwd: string): Promise<void> {
    await this.db.write(undefined, async (sql) => {
      await sql`INSERT INTO session_workspaces (session_id, cwd) VALUES (${sessionId}, ${cwd})
                ON CONFLICT (session_id) DO UPDATE SET cwd = excluded.cwd`;
    });
  }
}
