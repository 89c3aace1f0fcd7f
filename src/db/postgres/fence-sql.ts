// The fence of a session write on PostgreSQL (db/leases.ts): a condition to AND into the write's own
// WHERE (an UPDATE, or the DO UPDATE / INSERT … SELECT of an upsert), so the check and the write are
// one statement and a lease lost a moment ago cannot let one more write through.
import type { PendingQuery, Row, Sql } from 'postgres';
import type { FenceProvider } from '../leases.js';

/**
 * `EXISTS (this replica's live lease at its epoch)`, or when it holds none `NOT EXISTS (another
 * replica's live lease)`; TRUE without a provider (one host).
 */
export function fenceCondition(sql: Sql, sessionId: string, fence: FenceProvider | undefined): PendingQuery<Row[]> {
  if (!fence) return sql`TRUE`;
  const f = fence(sessionId);
  if (f.epoch === null)
    return sql`NOT EXISTS (SELECT 1 FROM session_leases fl WHERE fl.session_id = ${sessionId} AND fl.owner <> ${f.owner} AND fl.expires_at > now())`;
  return sql`EXISTS (SELECT 1 FROM session_leases fl WHERE fl.session_id = ${sessionId} AND fl.owner = ${f.owner} AND fl.epoch = ${f.epoch} AND fl.expires_at > now())`;
}
