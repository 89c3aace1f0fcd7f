// Runs the schema steps not yet applied, exactly once however many replicas start together: one transaction
// that first takes a transaction-scoped advisory lock (the others wait on it, then find the steps recorded
// in schema_migrations and do nothing). A failed step rolls back with the lock released.
import type { Sql } from 'postgres';
import { PG_MIGRATIONS } from './schema.js';

/** The advisory lock key of migrations ("csp-migr" as a 64-bit number): one per database. */
const MIGRATION_LOCK = 0x6373702d6d696772n;

/** Applies the missing steps of `steps` (default: the schema); returns the versions it applied. */
export async function migratePostgres(sql: Sql, steps: readonly string[] = PG_MIGRATIONS): Promise<number[]> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK.toString()}::bigint)`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (
               version    INTEGER PRIMARY KEY,
               applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
             )`;
    const done = new Set((await tx<{ version: number }[]>`SELECT version FROM schema_migrations`).map((r) => r.version));
    const applied: number[] = [];
    for (let v = 1; v <= steps.length; v++) {
      if (done.has(v)) continue;
      await tx.unsafe(steps[v - 1] as string).simple(); // simple protocol: a step holds several statements
      await tx`INSERT INTO schema_migrations (version) VALUES (${v})`;
      applied.push(v);
    }
    return applied;
  });
}
