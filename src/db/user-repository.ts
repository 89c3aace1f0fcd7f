// SQLite persistence of users and their personal API tokens. Shares the session
// repository's connection (one database file, one WAL). Tokens are stored as the
// SHA-256 of the secret only: the secret itself is shown once and never kept.
import type Database from 'better-sqlite3';
import type { Role } from '../protocol/messages.js';

export interface UserRow {
  user_id: string;
  name: string;
  role: Role;
  oidc_subject: string | null;
  disabled: boolean;
  created_at: string;
  updated_at: string;
}

export interface TokenRow {
  token_id: string;
  user_id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

type RawUser = Omit<UserRow, 'disabled'> & { disabled: number };
const userOf = (r: RawUser): UserRow => ({ ...r, disabled: r.disabled === 1 });
const TOKEN_COLUMNS = 'token_id, user_id, name, created_at, last_used_at, revoked_at';

export class UserRepository {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      user: db.prepare('SELECT * FROM users WHERE user_id = ?'),
      userBySubject: db.prepare('SELECT * FROM users WHERE oidc_subject = ?'),
      users: db.prepare('SELECT * FROM users ORDER BY created_at, user_id'),
      insertUser: db.prepare(
        `INSERT INTO users (user_id, name, role, oidc_subject, disabled, created_at, updated_at)
         VALUES (@user_id, @name, @role, @oidc_subject, @disabled, @created_at, @updated_at)`,
      ),
      updateUser: db.prepare(
        'UPDATE users SET name = @name, role = @role, disabled = @disabled, updated_at = @updated_at WHERE user_id = @user_id',
      ),
      activeAdmins: db.prepare("SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND disabled = 0"),
      activeOthers: db.prepare('SELECT COUNT(*) AS n FROM users WHERE user_id != ? AND disabled = 0'),
      insertToken: db.prepare(
        `INSERT INTO api_tokens (token_id, user_id, name, hash, created_at) VALUES (@token_id, @user_id, @name, @hash, @created_at)`,
      ),
      tokenByHash: db.prepare(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE hash = ?`),
      tokensOf: db.prepare(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE user_id = ? ORDER BY created_at, token_id`),
      token: db.prepare(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE token_id = ?`),
      revoke: db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL'),
      revokeAllOf: db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL'),
      touch: db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE token_id = ?'),
    };
  }

  user(userId: string): UserRow | undefined {
    const r = this.stmts.user.get(userId) as RawUser | undefined;
    return r ? userOf(r) : undefined;
  }

  userBySubject(subject: string): UserRow | undefined {
    const r = this.stmts.userBySubject.get(subject) as RawUser | undefined;
    return r ? userOf(r) : undefined;
  }

  users(): UserRow[] {
    return (this.stmts.users.all() as RawUser[]).map(userOf);
  }

  /** Asked before a user is added (throws to refuse: the server cannot confine a new user's agents). */
  beforeInsert: () => void = () => {};

  insertUser(u: UserRow): void {
    this.beforeInsert();
    this.stmts.insertUser.run({ ...u, disabled: u.disabled ? 1 : 0 });
  }

  updateUser(u: Pick<UserRow, 'user_id' | 'name' | 'role' | 'disabled' | 'updated_at'>): void {
    this.stmts.updateUser.run({ ...u, disabled: u.disabled ? 1 : 0 });
  }

  activeAdminCount(): number {
    return (this.stmts.activeAdmins.get() as { n: number }).n;
  }

  /** Enabled users other than this one. */
  activeUsersBesides(userId: string): number {
    return (this.stmts.activeOthers.get(userId) as { n: number }).n;
  }

  insertToken(t: Omit<TokenRow, 'last_used_at' | 'revoked_at'> & { hash: string }): void {
    this.stmts.insertToken.run(t);
  }

  tokenByHash(hash: string): TokenRow | undefined {
    return this.stmts.tokenByHash.get(hash) as TokenRow | undefined;
  }

  token(tokenId: string): TokenRow | undefined {
    return this.stmts.token.get(tokenId) as TokenRow | undefined;
  }

  tokensOf(userId: string): TokenRow[] {
    return this.stmts.tokensOf.all(userId) as TokenRow[];
  }

  /** True when the token was live and is now revoked. */
  revokeToken(tokenId: string, at: string): boolean {
    return this.stmts.revoke.run(at, tokenId).changes > 0;
  }

  revokeTokensOf(userId: string, at: string): number {
    return this.stmts.revokeAllOf.run(at, userId).changes;
  }

  touchToken(tokenId: string, at: string): void {
    if (!this.db.open) return;
    this.stmts.touch.run(at, tokenId);
  }

  /** Runs fn in one transaction (a user and their first token are created together or not at all). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
