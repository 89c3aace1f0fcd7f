// The audit log on PostgreSQL (ports.ts, AuditRepository): inserts and filtered, keyset-paged reads, newest
// first. The table refuses UPDATE, DELETE and TRUNCATE itself (a trigger, postgres/schema.ts).
import type { AuditFilter, AuditRepository, AuditRow } from '../ports.js';
import { type PgDatabase, query } from './connection.js';

export class PgAuditRepository implements AuditRepository {
  constructor(private readonly db: PgDatabase) {}

  async append(row: Omit<AuditRow, 'id'>): Promise<number> {
    return this.db.write(0, async (sql) => {
      const [r] = await sql<{ id: number }[]>`
        INSERT INTO audit_log (at, actor_user_id, action, target_user_id, session_id, detail)
        VALUES (${row.at}, ${row.actor_user_id}, ${row.action}, ${row.target_user_id}, ${row.session_id}, ${row.detail})
        RETURNING id`;
      return r?.id ?? 0;
    });
  }

  async query(f: AuditFilter): Promise<AuditRow[]> {
    // Filters are fixed SQL fragments; only values are bound.
    const where: string[] = [];
    const args: (string | number)[] = [];
    const add = (clause: (n: string) => string, value: string | number | undefined) => {
      if (value === undefined) return;
      args.push(value);
      where.push(clause(`$${args.length}`));
    };
    add((n) => `(actor_user_id = ${n} OR target_user_id = ${n})`, f.user_id);
    add((n) => `action = ${n}`, f.action);
    add((n) => `session_id = ${n}`, f.session_id);
    add((n) => `at >= ${n}`, f.since);
    add((n) => `at < ${n}`, f.until);
    add((n) => `id < ${n}`, f.before_id);
    args.push(f.limit);
    const sql = `SELECT id, at, actor_user_id, action, target_user_id, session_id, detail FROM audit_log
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT $${args.length}`;
    return query<AuditRow>(this.db.sql, sql, args);
  }
}
