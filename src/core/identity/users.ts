// Users, roles and personal API tokens: who a credential belongs to, and the admin
// operations on users and tokens. The bootstrap API key is the built-in admin `default`.
// Tokens are 32 random bytes; only their SHA-256 is stored (docs/decisions.md says why
// a plain hash is right for random secrets), and a secret is shown once, at creation.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { NewToken, TokenRow, UserRepository, UserRow } from '../../db/ports.js';
import { PlatformError } from '../../protocol/errors.js';
import type { ApiToken, AuthVia, CreateTokenResponse, CreateUserResponse, Role, User } from '../../protocol/messages.js';
import type { AuditRecord } from '../accounting/audit-log.js';
import { BOOTSTRAP_USER_ID, type Principal, requireAdmin } from './principal.js';

export const TOKEN_PREFIX = 'csp_';
/** last_used_at is written at most this often per token (not on every request). */
const LAST_USED_RESOLUTION_MS = 60_000;
const MAX_SECRET_CHARS = 256;

const sha256 = (s: string) => createHash('sha256').update(s).digest();
const tokenHash = (secret: string) => sha256(secret).toString('hex');

/** A new personal token: what the caller is shown once, and the row stored (its hash, never the secret). */
function newToken(userId: string, name: string, now: string): { token: CreateTokenResponse; row: NewToken } {
  const secret = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const token_id = randomUUID();
  return {
    token: { token_id, name, created_at: now, last_used_at: null, revoked_at: null, token: secret },
    row: { token_id, user_id: userId, name, hash: tokenHash(secret), created_at: now },
  };
}

const publicUser = (u: UserRow): User => ({
  user_id: u.user_id,
  name: u.name,
  role: u.role,
  disabled: u.disabled,
  created_at: u.created_at,
  updated_at: u.updated_at,
});
const publicToken = (t: TokenRow): ApiToken => ({
  token_id: t.token_id,
  name: t.name,
  created_at: t.created_at,
  last_used_at: t.last_used_at,
  revoked_at: t.revoked_at,
});

/** Told when a user is disabled or a token revoked, so live sessions end and sockets close. Awaited. */
export interface IdentityListeners {
  userDisabled?(userId: string): Promise<void> | void;
  tokenRevoked?(tokenId: string): Promise<void> | void;
}

/** Where identity events go: the audit log's record(). */
export type AuditSink = (r: AuditRecord) => void;
/** The actor of a failed authentication: nobody was proven. */
const ANONYMOUS = 'anonymous';

export class UserService {
  private readonly keyDigest: Buffer;
  private readonly listeners: IdentityListeners[] = [];
  private audit: AuditSink;

  constructor(
    private readonly repo: UserRepository,
    apiKey: string,
    opts: { audit?: AuditSink } = {},
  ) {
    this.keyDigest = sha256(apiKey);
    this.audit = opts.audit ?? (() => {});
  }

  /** Where identity events go (the audit log plugs in here). */
  setAudit(sink: AuditSink): void {
    this.audit = sink;
  }

  listen(l: IdentityListeners): void {
    this.listeners.push(l);
  }

  /** A failed authentication seen by a transport, for the audit log. */
  authFailed(detail: { ip: string; transport: string }): void {
    this.audit({
      actor_user_id: ANONYMOUS,
      action: 'auth.sign_in_failed',
      detail: { method: 'key_or_token', reason: 'invalid_credential', ...detail },
    });
  }

  // ------------------------------------------------------------ who is calling

  /**
   * The principal of a secret from a header or query: the bootstrap key, or a live
   * personal token of an enabled user. Anything else is null (answered like a wrong key).
   */
  async principalForSecret(secret: unknown): Promise<Principal | null> {
    if (typeof secret !== 'string' || secret.length === 0 || secret.length > MAX_SECRET_CHARS) return null;
    if (timingSafeEqual(sha256(secret), this.keyDigest)) return this.bootstrapPrincipal();
    if (!secret.startsWith(TOKEN_PREFIX)) return null;
    // A lookup by the hash of a 256-bit random secret: its timing tells nothing about any stored token.
    const t = await this.repo.tokenByHash(tokenHash(secret));
    if (!t || t.revoked_at) return null;
    const u = await this.repo.user(t.user_id);
    if (!u || u.disabled) return null;
    await this.touch(t);
    return { user_id: u.user_id, name: u.name, role: u.role, via: 'token', token_id: t.token_id };
  }

  /** The principal of a user proven another way (a sign-in cookie, a trusted proxy header); null when disabled or unknown. */
  async principalForUser(userId: string, via: AuthVia): Promise<Principal | null> {
    const u = await this.repo.user(userId);
    if (!u || u.disabled) return null;
    return { user_id: u.user_id, name: u.name, role: u.role, via };
  }

  private async bootstrapPrincipal(): Promise<Principal> {
    const u = await this.repo.user(BOOTSTRAP_USER_ID);
    return { user_id: BOOTSTRAP_USER_ID, name: u?.name ?? 'admin', role: 'admin', via: 'key' };
  }

  /** Writes the token's last use, at most once a minute (one write per minute per token, awaited). */
  private async touch(t: TokenRow): Promise<void> {
    const now = Date.now();
    if (t.last_used_at && now - Date.parse(t.last_used_at) < LAST_USED_RESOLUTION_MS) return;
    await this.repo.touchToken(t.token_id, new Date(now).toISOString());
  }

  // ------------------------------------------------------------ users (admin)

  private async userOrThrow(userId: string): Promise<UserRow> {
    const u = await this.repo.user(userId);
    if (!u) throw new PlatformError('user_not_found');
    return u;
  }

  /** Whether anyone besides the built-in admin may use the server (then sessions are shared fairly). */
  async hasOtherUsers(): Promise<boolean> {
    return (await this.repo.activeUsersBesides(BOOTSTRAP_USER_ID)) > 0;
  }

  async get(userId: string): Promise<User | undefined> {
    const u = await this.repo.user(userId);
    return u ? publicUser(u) : undefined;
  }

  async list(p: Principal): Promise<User[]> {
    requireAdmin(p);
    return (await this.repo.users()).map(publicUser);
  }

  /** A new user and their first token (shown once), in one transaction. */
  async create(p: Principal, input: { name: string; role: Role; oidc_subject?: string | null }): Promise<CreateUserResponse> {
    requireAdmin(p);
    const now = new Date().toISOString();
    const user: UserRow = {
      user_id: randomUUID(),
      name: input.name,
      role: input.role,
      oidc_subject: input.oidc_subject ?? null,
      disabled: false,
      created_at: now,
      updated_at: now,
    };
    const { token, row } = newToken(user.user_id, 'first token', now);
    await this.repo.insertUserWithToken(user, row);
    this.audit({
      action: 'user.created',
      actor_user_id: p.user_id,
      target_user_id: user.user_id,
      detail: { name: user.name, role: user.role },
    });
    this.audit({
      action: 'token.created',
      actor_user_id: p.user_id,
      target_user_id: user.user_id,
      detail: { token_id: token.token_id, name: token.name },
    });
    return { user_id: user.user_id, name: user.name, role: user.role, token: token.token };
  }

  /**
   * Changes name, role, or re-enables (disabled: false); disabled: true is disable().
   * The bootstrap admin keeps its role, and the last enabled admin cannot be demoted.
   */
  async update(p: Principal, userId: string, change: { name?: string; role?: Role; disabled?: boolean }): Promise<User> {
    requireAdmin(p);
    const u = await this.userOrThrow(userId);
    if (change.role === 'member' && u.role === 'admin') await this.keepAnAdmin(u);
    if (change.disabled === true && !u.disabled) await this.disable(p, userId);
    const current = await this.userOrThrow(userId);
    const next = {
      user_id: userId,
      name: change.name ?? current.name,
      role: change.role ?? current.role,
      disabled: change.disabled ?? current.disabled,
      updated_at: new Date().toISOString(),
    };
    await this.repo.updateUser(next);
    // Disabling was recorded by disable(); what else changed is recorded here (re-enabling included).
    const changed = Object.fromEntries(Object.entries(change).filter(([k, v]) => k !== 'disabled' || (v === false && u.disabled)));
    if (Object.keys(changed).length > 0)
      this.audit({ action: 'user.changed', actor_user_id: p.user_id, target_user_id: userId, detail: changed });
    return publicUser(await this.userOrThrow(userId));
  }

  private async keepAnAdmin(u: UserRow): Promise<void> {
    if (u.user_id === BOOTSTRAP_USER_ID)
      throw new PlatformError('user_protected', 'The built-in admin of the API key keeps its role and cannot be disabled');
    if (!u.disabled && (await this.repo.activeAdminCount()) <= 1) throw new PlatformError('user_protected');
  }

  /**
   * Disables a user: their tokens are revoked, then the listeners end their live
   * sessions and close their sockets (awaited, so the answer comes after).
   */
  async disable(p: Principal, userId: string): Promise<User> {
    requireAdmin(p);
    const u = await this.userOrThrow(userId);
    // One click must not lock an admin out: someone else disables them.
    if (userId === p.user_id && !u.disabled)
      throw new PlatformError('user_protected', 'You cannot disable yourself: ask another admin to do it');
    if (u.role === 'admin') await this.keepAnAdmin(u);
    if (!u.disabled) {
      const revoked = await this.repo.disableUser(userId, new Date().toISOString());
      this.audit({ action: 'user.disabled', actor_user_id: p.user_id, target_user_id: userId, detail: { tokens_revoked: revoked } });
    }
    for (const l of this.listeners) await l.userDisabled?.(userId);
    return publicUser(await this.userOrThrow(userId));
  }

  // ------------------------------------------------------------ tokens

  private async issueToken(userId: string, name: string, now: string): Promise<CreateTokenResponse> {
    const { token, row } = newToken(userId, name, now);
    await this.repo.insertToken(row);
    return token;
  }

  /** The caller's own tokens (revoked ones included, with revoked_at), never their secrets. */
  async tokens(p: Principal, userId = p.user_id): Promise<ApiToken[]> {
    if (userId !== p.user_id) {
      requireAdmin(p);
      await this.userOrThrow(userId);
    }
    return (await this.repo.tokensOf(userId)).map(publicToken);
  }

  /** A new token for the caller (an admin may name another user, e.g. after re-enabling them). */
  async createToken(p: Principal, name: string, userId = p.user_id): Promise<CreateTokenResponse> {
    if (userId !== p.user_id) {
      requireAdmin(p);
      if ((await this.userOrThrow(userId)).disabled) throw new PlatformError('user_not_found');
    }
    const t = await this.issueToken(userId, name, new Date().toISOString());
    this.audit({ action: 'token.created', actor_user_id: p.user_id, target_user_id: userId, detail: { token_id: t.token_id, name } });
    return t;
  }

  /**
   * Revokes one of the user's tokens (the caller's own; an admin may name another user).
   * A token of someone else answers like an unknown one.
   */
  async revokeToken(p: Principal, tokenId: string, userId = p.user_id): Promise<ApiToken> {
    if (userId !== p.user_id) {
      requireAdmin(p);
      await this.userOrThrow(userId);
    }
    const t = await this.repo.token(tokenId);
    if (!t || t.user_id !== userId) throw new PlatformError('token_not_found');
    if (await this.repo.revokeToken(tokenId, new Date().toISOString())) {
      this.audit({
        action: 'token.revoked',
        actor_user_id: p.user_id,
        target_user_id: userId,
        detail: { token_id: tokenId, name: t.name },
      });
      for (const l of this.listeners) await l.tokenRevoked?.(tokenId);
    }
    return publicToken((await this.repo.token(tokenId)) as TokenRow);
  }
}
