// Browser sign-ins: a random cookie value per sign-in, its row (hash only) with an absolute
// expiry. A sign-in follows what it was obtained with: one exchanged for a personal token ends
// when the token is revoked, one exchanged for the bootstrap key when the server starts with
// another key, and every one of a user when the user is disabled. An expired, ended or unknown
// cookie resolves to nobody, and the browser signs in again.
import { createHash, randomBytes } from 'node:crypto';
import type { WebSessionRepository, WebSessionRow } from '../../db/ports.js';
import type { SignInInfo } from '../../protocol/messages.js';

export type SignInVia = 'oidc' | 'token' | 'proxy' | 'key';

const hashOf = (value: string) => createHash('sha256').update(value).digest('hex');

/** The credential of a sign-in exchanged for the bootstrap key: a fingerprint of the key, never the key. */
export const keyCredential = (apiKey: string) => `key:${createHash('sha256').update(`sign-in-key:${apiKey}`).digest('hex').slice(0, 32)}`;
export const tokenCredential = (tokenId: string) => `token:${tokenId}`;

/** Last use is written at most this often per sign-in. */
const TOUCH_MS = 60_000;
const USER_AGENT_CHARS = 200;

export interface WebSessionsOptions {
  now?: () => number;
  /** Whether a sign-in's credential still holds (the token not revoked, the key the current one). */
  credentialValid?: (credential: string) => boolean | Promise<boolean>;
  /** A personal token's name, for the list. */
  tokenName?: (tokenId: string) => Promise<string | undefined>;
}

export class WebSessions {
  private lastPurge = 0;
  private readonly now: () => number;

  constructor(
    private readonly rows: WebSessionRepository,
    private readonly lifetimeMs: number,
    nowOrOpts: (() => number) | WebSessionsOptions = {},
    private readonly opts: WebSessionsOptions = typeof nowOrOpts === 'function' ? {} : nowOrOpts,
  ) {
    this.now = typeof nowOrOpts === 'function' ? nowOrOpts : (nowOrOpts.now ?? Date.now);
  }

  /** A new sign-in for the user: the cookie value (shown to the browser only) and when it ends. */
  async start(
    userId: string,
    via: SignInVia,
    extra: { credential?: string | null; userAgent?: string | undefined } = {},
  ): Promise<{ value: string; expiresAt: Date }> {
    const value = randomBytes(32).toString('base64url');
    const created = new Date(this.now());
    const expiresAt = new Date(created.getTime() + this.lifetimeMs);
    await this.rows.insert({
      token_hash: hashOf(value),
      id: randomBytes(12).toString('hex'),
      user_id: userId,
      via,
      credential: extra.credential ?? null,
      user_agent: extra.userAgent ? extra.userAgent.slice(0, USER_AGENT_CHARS) : null,
      created_at: created.toISOString(),
      last_used_at: created.toISOString(),
      expires_at: expiresAt.toISOString(),
    });
    return { value, expiresAt };
  }

  /** The signed-in user of a cookie value, or null (unknown, malformed, expired or its credential gone: the row goes). */
  async resolve(value: unknown): Promise<{ id: string; userId: string; via: SignInVia; expiresAt: string } | null> {
    if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(value)) return null;
    await this.purgeNowAndThen();
    const hash = hashOf(value);
    const row = await this.rows.get(hash);
    if (!row) return null;
    const now = this.now();
    if (Date.parse(row.expires_at) <= now || (row.credential !== null && (await this.opts.credentialValid?.(row.credential)) === false)) {
      await this.rows.delete(hash);
      return null;
    }
    if (!row.last_used_at || now - Date.parse(row.last_used_at) >= TOUCH_MS) await this.rows.touch(hash, new Date(now).toISOString());
    return { id: hash, userId: row.user_id, via: row.via as SignInVia, expiresAt: row.expires_at };
  }

  /** A user's sign-ins, newest first; `currentId` (the caller's resolved id) is marked. */
  async list(userId: string, currentId?: string): Promise<SignInInfo[]> {
    const rows = await this.rows.of(userId, new Date(this.now()).toISOString());
    return Promise.all(rows.map((r) => this.info(r, currentId)));
  }

  /** Sign-out: the row goes, so the cookie signs no one in even if a copy of it was kept. */
  async end(value: unknown): Promise<boolean> {
    return typeof value === 'string' && (await this.rows.delete(hashOf(value)));
  }

  /** Ends one sign-in of the user by its public id; the resolved id (for closing its sockets), or null. */
  async endById(userId: string, id: string): Promise<string | null> {
    const row = (await this.rows.of(userId, new Date(0).toISOString())).find((r) => r.id === id);
    return row && (await this.rows.delete(row.token_hash)) ? row.token_hash : null;
  }

  /** Ends all of a user's sign-ins (disabled, or "sign out everywhere"), but `keepId`; the resolved ids ended. */
  async endAllOf(userId: string, keepId?: string): Promise<string[]> {
    if (keepId === undefined) return this.rows.deleteAllOf(userId);
    const ended: string[] = [];
    for (const r of await this.rows.of(userId, new Date(0).toISOString()))
      if (r.token_hash !== keepId && (await this.rows.delete(r.token_hash))) ended.push(r.token_hash);
    return ended;
  }

  /** Ends the sign-ins obtained with a credential (a revoked token); the resolved ids ended. */
  endByCredential(credential: string): Promise<string[]> {
    return this.rows.deleteByCredential(credential);
  }

  /** At start: sign-ins exchanged for a bootstrap key other than the current one end. */
  async endKeySignInsExcept(currentKeyCredential: string): Promise<number> {
    return (await this.rows.deleteKeySignInsExcept(currentKeyCredential)).length;
  }

  private async info(r: WebSessionRow, currentId?: string): Promise<SignInInfo> {
    const tokenId = r.credential?.startsWith('token:') ? r.credential.slice('token:'.length) : undefined;
    return {
      id: r.id,
      created_at: r.created_at,
      last_used_at: r.last_used_at,
      expires_at: r.expires_at,
      method: r.via as SignInInfo['method'],
      token_name: tokenId ? ((await this.opts.tokenName?.(tokenId)) ?? null) : null,
      token_id: tokenId ?? null,
      user_agent: r.user_agent,
      current: r.token_hash === currentId,
    };
  }

  /** Expired rows are deleted at most once a minute, on the way through. */
  private async purgeNowAndThen(): Promise<void> {
    const now = this.now();
    if (now - this.lastPurge < 60_000) return;
    this.lastPurge = now;
    await this.rows.deleteExpired(new Date(now).toISOString());
  }
}
