// The SQLite engine: one better-sqlite3 connection in WAL mode shared by every repository,
// the schema migrated on open. The embedded default for one host.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Repositories } from '../ports.js';
import { SqliteAuditRepository } from './audit-repository.js';
import { SqliteHistoryRepository } from './history-repository.js';
import { SqliteLimitsRepository } from './limits-repository.js';
import { migrate } from './migrations.js';
import { SqliteReplicaRepository } from './replica-repository.js';
import { SqliteSessionRemovalRepository } from './session-removal-repository.js';
import { SqliteSessionRepository } from './session-repository.js';
import { SqliteUserRepository } from './user-repository.js';
import { SqliteWebSessionRepository } from './web-session-repository.js';
import { SqliteWorkspaceRepository } from './workspace-repository.js';

export interface SqliteRepositories extends Repositories {
  readonly engine: 'sqlite';
  /** The connection itself, for tests that check what the engine refuses (the audit log's triggers). */
  readonly database: Database.Database;
}

/** Opens (creating it and its folder when missing) and migrates the database at `dbPath` (`:memory:` for a private one). */
export async function openSqlite(dbPath: string): Promise<SqliteRepositories> {
  if (dbPath !== ':memory:') fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  const db = new Database(dbPath);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (e) {
    db.close();
    throw e;
  }
  return {
    engine: 'sqlite',
    database: db,
    sessions: new SqliteSessionRepository(db),
    history: new SqliteHistoryRepository(db),
    users: new SqliteUserRepository(db),
    webSessions: new SqliteWebSessionRepository(db),
    limits: new SqliteLimitsRepository(db),
    audit: new SqliteAuditRepository(db),
    removals: new SqliteSessionRemovalRepository(db),
    workspaces: new SqliteWorkspaceRepository(db),
    replicas: new SqliteReplicaRepository(db),
    close: async () => {
      if (db.open) db.close();
    },
  };
}
