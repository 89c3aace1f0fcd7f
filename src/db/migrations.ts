// Versioned schema migrations (PRAGMA user_version). Append only: never edit a shipped step.
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // 1: spec §5.1 SessionMetadata
  `CREATE TABLE sessions (
     session_id        TEXT PRIMARY KEY,
     user_id           TEXT NOT NULL DEFAULT 'default',
     status            TEXT NOT NULL DEFAULT 'creating'
                       CHECK (status IN ('creating','active','idle','terminated')),
     created_at        TEXT NOT NULL,
     last_active_at    TEXT NOT NULL,
     subprocess_pid    INTEGER,
     message_count     INTEGER NOT NULL DEFAULT 0,
     total_cost_usd    REAL NOT NULL DEFAULT 0.0,
     is_resumable      INTEGER NOT NULL DEFAULT 1,
     terminated_reason TEXT
   );
   CREATE INDEX sessions_status ON sessions(status);`,
  // 2: every CLI process we spawn, so a restarted server can find orphans of a crashed one
  `CREATE TABLE spawned_processes (
     pid         INTEGER NOT NULL,
     start_time  TEXT NOT NULL,
     session_id  TEXT,
     spawned_at  TEXT NOT NULL,
     PRIMARY KEY (pid, start_time)
   );`,
  // 3: the outcome of each turn (cost, turns), shown again when a conversation is reloaded
  `CREATE TABLE turns (
     session_id  TEXT NOT NULL,
     started_at  TEXT NOT NULL,
     ended_at    TEXT NOT NULL,
     outcome     TEXT NOT NULL CHECK (outcome IN ('complete','interrupted','error')),
     cost_usd    REAL NOT NULL DEFAULT 0,
     turn_count  INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX turns_session ON turns(session_id, started_at);`,
];

export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return MIGRATIONS.length;
}
