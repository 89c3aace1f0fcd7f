// Browser sign-ins: a random cookie value per sign-in, its row (hash only) with an absolute
// expiry. An expired or unknown cookie resolves to nobody, and the browser signs in again.
import { createHash, randomBytes } from 'node:crypto';
import type { WebSessionRepository } from '../../db/web-session-repository.js';

export type SignInVia = 'oidc' | 'token' | 'proxy';

const hashOf = (value: string) => createHash('sha256').update(value).digest('hex');

export class WebSessions {
  private lastPurge = 0;

  constructor(
    private readonly rows: WebSessionRepository,
    private readonly lifetimeMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new sign-in for the user: the cookie value (shown to the browser only) and when it ends. */
  start(userId: string, via: SignInVia): { value: string; expiresAt: Date } {
    const value = randomBytes(32).toString('base64url');
    const created = new Date(this.now());
    const expiresAt = new Date(created.getTime() + this.lifetimeMs);
    this.rows.insert({
      token_hash: hashOf(value),
      user_id: userId,
      via,
      created_at: created.toISOString(),
      expires_at: expiresAt.toISOString(),
    });
    return { value, expiresAt };
  }

  /** The signed-in user of a cookie value, or null (unknown, malformed or expired: the row goes). */
  resolve(value: unknown): { id: string; userId: string; via: SignInVia; expiresAt: string } | null {
    if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(value)) return null;
    this.purgeNowAndThen();
    const hash = hashOf(value);
    const row = this.rows.get(hash);
    if (!row) return null;
    if (Date.parse(row.expires_at) <= this.now()) {
      this.rows.delete(hash);
      return null;
    }
    return { id: hash, userId: row.user_id, via: row.via as SignInVia, expiresAt: row.expires_at };
  }

  /** Sign-out: the row goes, so the cookie signs no one in even if a copy of it was kept. */
  end(value: unknown): boolean {
    return typeof value === 'string' && this.rows.delete(hashOf(value));
  }

  /** A disabled user's browsers are signed out at once. */
  endAllOf(userId: string): number {
    return this.rows.deleteAllOf(userId);
  }

  /** Expired rows are deleted at most once a minute, on the way through. */
  private purgeNowAndThen(): void {
    const now = this.now();
    if (now - this.lastPurge < 60_000) return;
    this.lastPurge = now;
    this.rows.deleteExpired(new Date(now).toISOString());
  }
}
