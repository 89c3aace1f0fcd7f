// SQLite rows of browser sign-ins (cookie sessions). The cookie value is a random secret that
// is never stored: rows are keyed by its SHA-256, so a copy of the database signs no one in.
import type Database from 'better-sqlite3';

export interface WebSessionRow {
  token_hash: string;
  user_id: string;
  /** How the browser signed in: oidc, token (a key or personal token exchanged), proxy. */
  via: string;
  created_at: string;
  expires_at: string;
}

export class WebSessionRepository {
  private readonly stmts;

  constructor(db: Database.Database) {
    this.stmts = {
      insert: db.prepare(
        'INSERT INTO web_sessions (token_hash, user_id, via, created_at, expires_at) VALUES (@token_hash, @user_id, @via, @created_at, @expires_at)',
      ),
      get: db.prepare('SELECT * FROM web_sessions WHERE token_hash = ?'),
      delete: db.prepare('DELETE FROM web_sessions WHERE token_hash = ?'),
      deleteOf: db.prepare('DELETE FROM web_sessions WHERE user_id = ?'),
      expire: db.prepare('DELETE FROM web_sessions WHERE expires_at <= ?'),
    };
  }

  insert(row: WebSessionRow): void {
    this.stmts.insert.run(row);
  }

  get(tokenHash: string): WebSessionRow | undefined {
    return this.stmts.get.get(tokenHash) as WebSessionRow | undefined;
  }

  delete(tokenHash: string): boolean {
    return this.stmts.delete.run(tokenHash).changes > 0;
  }

  deleteAllOf(userId: string): number {
    return this.stmts.deleteOf.run(userId).changes;
  }

  /** Removes rows expired at `now` (ISO time); returns how many. */
  deleteExpired(now: string): number {
    return this.stmts.expire.run(now).changes;
  }
}
