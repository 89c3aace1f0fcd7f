// SQL of the audit log (table `audit_log`, append-only by trigger). Inserts and filtered,
// keyset-paged reads, newest first; nothing here can change or remove an entry.
import type Database from 'better-sqlite3';
import type { AuditFilter, AuditRepository, AuditRow } from '../ports.js';

export class SqliteAuditRepository implements AuditRepository {
  private readonly insert;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO audit_log (at, actor_user_id, action, target_user_id, session_id, detail)
       VALUES (@at, @actor_user_id, @action, @target_user_id, @session_id, @detail)`,
    );
  }

  async append(row: Omit<AuditRow, 'id'>): Promise<number> {
    if (!this.db.open) return 0;
    return Number(
      this.insert.run({
        at: row.at,
        actor_user_id: row.actor_user_id,
        action: row.action,
        target_user_id: row.target_user_id,
        session_id: row.session_id,
        detail: row.detail,
      }).lastInsertRowid,
    );
  }

  async query(f: AuditFilter): Promise<AuditRow[]> {
    const where: string[] = [];
    const args: Record<string, string | number> = { limit: f.limit };
    if (f.user_id !== undefined) {
      where.push('(actor_user_id = @user_id OR target_user_id = @user_id)');
      args.user_id = f.user_id;
    }
    if (f.action !== undefined) {
      where.push('action = @action');
      args.action = f.action;
    }
    if (f.session_id !== undefined) {
      where.push('session_id = @session_id');
      args.session_id = f.session_id;
    }
    if (f.since !== undefined) {
      where.push('at >= @since');
      args.since = f.since;
    }
    if (f.until !== undefined) {
      where.push('at < @until');
      args.until = f.until;
    }
    if (f.before_id !== undefined) {
      where.push('id < @before_id');
      args.before_id = f.before_id;
    }
    // Filters are fixed SQL fragments; only values are bound.
    const sql = `SELECT * FROM audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    return this.db.prepare(sql).all(args) as AuditRow[];
  }
}
