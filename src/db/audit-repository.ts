// SQL of the audit log (table `audit_log`, append-only by trigger). Inserts and filtered,
// keyset-paged reads, newest first; nothing here can change or remove an entry.
import type Database from 'better-sqlite3';

export interface AuditRow {
  id: number;
  at: string;
  actor_user_id: string;
  action: string;
  target_user_id: string | null;
  session_id: string | null;
  detail: string;
}

export interface AuditFilter {
  /** Actor or target. */
  user_id?: string;
  action?: string;
  session_id?: string;
  /** ISO times: at >= since, at < until. */
  since?: string;
  until?: string;
  /** Only entries older than this id (the page cursor). */
  before_id?: number;
  limit: number;
}

export class AuditRepository {
  private readonly insert;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(
      `INSERT INTO audit_log (at, actor_user_id, action, target_user_id, session_id, detail)
       VALUES (@at, @actor_user_id, @action, @target_user_id, @session_id, @detail)`,
    );
  }

  append(row: Omit<AuditRow, 'id'>): number {
    if (!this.db.open) return 0;
    return Number(this.insert.run(row).lastInsertRowid);
  }

  query(f: AuditFilter): AuditRow[] {
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
