// SQLite rows of browser sign-ins (cookie sessions). The cookie value is a random secret that
// is never stored: rows are keyed by its SHA-256, so a copy of the database signs no one in.
import type Database from 'better-sqlite3';

export interface WebSessionRow {
  token_hash: string;
  /** The public id (lists, ending one). */
  id: string;
  user_id: string;
  /** How the browser signed in: oidc, proxy, key (the bootstrap key exchanged), token (a personal token exchanged). */
  via: string;
  /** What the sign-in stands on besides its user: `key:<fingerprint>`, `token:<token id>`; null for oidc/proxy. */
  credential: string | null;
  user_agent: string | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
}

export class WebSessionRepository {
  private readonly stmts;

  constructor(db: Database.Database) {
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

  insert(row: WebSessionRow): void {
    this.stmts.insert.run(row);
  }

  get(tokenHash: string): WebSessionRow | undefined {
    return this.stmts.get.get(tokenHash) as WebSessionRow | undefined;
  }

  /** A user's sign-ins not yet expired at `now`, newest first. */
  of(userId: string, now: string): WebSessionRow[] {
    return this.stmts.of.all(userId, now) as WebSessionRow[];
  }

  delete(tokenHash: string): boolean {
    return this.stmts.delete.run(tokenHash).changes > 0;
  }

  /** Removes a user's sign-ins; returns the hashes removed. */
  deleteAllOf(userId: string): string[] {
    return (this.stmts.deleteOf.all(userId) as { token_hash: string }[]).map((r) => r.token_hash);
  }

  deleteByCredential(credential: string): string[] {
    return (this.stmts.deleteByCredential.all(credential) as { token_hash: string }[]).map((r) => r.token_hash);
  }

  /** Sign-ins obtained with a bootstrap key other than the one with this credential. */
  deleteKeySignInsExcept(credential: string): string[] {
    return (this.stmts.deleteKeyExcept.all(credential) as { token_hash: string }[]).map((r) => r.token_hash);
  }

  touch(tokenHash: string, at: string): void {
    this.stmts.touch.run(at, tokenHash);
  }

  /** Removes rows expired at `now` (ISO time); returns how many. */
  deleteExpired(now: string): number {
    return this.stmts.expire.run(now).changes;
  }
}
