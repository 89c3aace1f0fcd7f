// The PostgreSQL engine: one pool for every repository, the schema migrated (once, under a lock) before use.
import type { FenceProvider } from '../leases.js';
import type { Repositories } from '../ports.js';
import { PgAuditRepository } from './audit-repository.js';
import { connect, PgDatabase } from './connection.js';
import { PgHistoryRepository } from './history-repository.js';
import { PgLimitsRepository } from './limits-repository.js';
import { migratePostgres } from './migrate.js';
import { PgReplicaRepository } from './replica-repository.js';
import { PgSessionRepository } from './session-repository.js';
import { PgSessionRemovalRepository, PgWorkspaceRepository } from './session-rows-repository.js';
import { PgUserRepository } from './user-repository.js';
import { PgWebSessionRepository } from './web-session-repository.js';

/**
 * Opens `url` (postgres:// or postgresql://), applies missing migrations, and returns its repositories.
 * `fence`: the replica's leases, checked by every write of a session's rows (db/leases.ts).
 */
export async function openPostgres(url: string, opts: { max?: number; fence?: FenceProvider } = {}): Promise<Repositories> {
  const sql = connect(url, opts);
  try {
    await migratePostgres(sql);
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    // One line that names the variable; the driver's messages never carry the password.
    throw new Error(`Could not open PostgreSQL (DATABASE_URL): ${(err as Error).message}`);
  }
  const db = new PgDatabase(sql, opts.fence);
  return {
    engine: 'postgres',
    sessions: new PgSessionRepository(db),
    history: new PgHistoryRepository(db),
    users: new PgUserRepository(db),
    webSessions: new PgWebSessionRepository(db),
    limits: new PgLimitsRepository(db),
    audit: new PgAuditRepository(db),
    removals: new PgSessionRemovalRepository(db),
    workspaces: new PgWorkspaceRepository(db),
    replicas: new PgReplicaRepository(db),
    close: () => db.close(),
  };
}
