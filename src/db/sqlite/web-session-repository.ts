// SQLite rows of browser sign-ins (cookie sessions). The cookie value is a random secret that
// is never stored: rows are keyed by its SHA-256, so a copy of the database signs no one in.
import type Database from 'better-sqlite3';
import type { WebSessionRepository, WebSessionRow } from '../ports.js';

const hashes = (rows: unknown[]) => (rows as { token_hash: string }[]).map((r) => r.token_hash);

export class SqliteWebSessionRepository implements WebSessionRepository {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      insert: db.prepare(
        `INSERT INTO web_sessions (token_hash, id, user_id, via, credential, user_agent, created_at, last_used_at, expires_at)
         VALUES (@token_hash, @id, @user_id, @via, @credential, @user_agent, @created_at, @last_used_at, @expires_at)`,
      ),
      get: db.prepare('SELECT * FROM web_sessions WHERE token_hash = ?'),
      of: db.prepare('SELECT * FROM web_sessions WHERE user_id = ? AND expires_at > ? ORDER BY created_at DESC, id'),
      delete: db.prepare('DELETE FROM web_sessions WHERE token_hash = ?'),
      deleteOf: db.prepare('DELETE FROM web_sessions WHERE user_id = ? RETURNING token_hash'),
      deleteByCredential: db.prepare('DELETE FROM web_sessions WHERE credential = ? RETURNING token_hash'),
      deleteKeyExcept: db.prepare(
        "DELETE FROM web_sessions WHERE via = 'key' AND (credential IS NULL OR credential != ?) RETURNING token_hash",
      ),
      touch: db.prepare('UPDATE web_sessions SET last_used_at = ? WHERE token_hash = ?'),
      expire: db.prepare('DELETE FROM web_sessions WHERE expires_at <= ?'),
    };
  }

  async insert(row: WebSessionRow): Promise<void> {
    if (!this.db.open) return;
    this.stmts.insert.run(row);
  }

  async get(tokenHash: string): Promise<WebSessionRow | undefined> {
    return this.stmts.get.get(tokenHash) as WebSessionRow | undefined;
  }

  async of(userId: string, now: string): Promise<WebSessionRow[]> {
    return this.stmts.of.all(userId, now) as WebSessionRow[];
  }

  async delete(tokenHash: string): Promise<boolean> {
    if (!this.db.open) return false;
    return this.stmts.delete.run(tokenHash).changes > 0;
  }

  async deleteAllOf(userId: string): Promise<string[]> {
    if (!this.db.open) return [];
    return hashes(this.stmts.deleteOf.all(userId));
  }

  async deleteByCredential(credential: string): Promise<string[]> {
    if (!this.db.open) return [];
    return hashes(this.stmts.deleteByCredential.all(credential));
  }

  async deleteKeySignInsExcept(credential: string): Promise<string[]> {
    if (!this.db.open) return [];
    return hashes(this.stmts.deleteKeyExcept.all(credential));
  }

  async touch(tokenHash: string, at: string): Promise<void> {
    if (!this.db.open) return;
    this.stmts.touch.run(at, tokenHash);
  }

  async deleteExpired(now: string): Promise<number> {
    if (!this.db.open) return 0;
    return this.stmts.expire.run(now).changes;
  }
}
