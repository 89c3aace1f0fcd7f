// SQLite rows of users and their personal API tokens. Tokens are stored as the SHA-256 of the
// secret only: the secret itself is shown once and never kept.
import type Database from 'better-sqlite3';
import type { NewToken, TokenRow, UserRepository, UserRow } from '../ports.js';

type RawUser = Omit<UserRow, 'disabled'> & { disabled: number };
const userOf = (r: RawUser): UserRow => ({ ...r, disabled: r.disabled === 1 });
const TOKEN_COLUMNS = 'token_id, user_id, name, created_at, last_used_at, revoked_at';

export class SqliteUserRepository implements UserRepository {
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
      disable: db.prepare('UPDATE users SET disabled = 1, updated_at = ? WHERE user_id = ?'),
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

  async user(userId: string): Promise<UserRow | undefined> {
    const r = this.stmts.user.get(userId) as RawUser | undefined;
    return r ? userOf(r) : undefined;
  }

  async userBySubject(subject: string): Promise<UserRow | undefined> {
    const r = this.stmts.userBySubject.get(subject) as RawUser | undefined;
    return r ? userOf(r) : undefined;
  }

  async users(): Promise<UserRow[]> {
    return (this.stmts.users.all() as RawUser[]).map(userOf);
  }

  beforeInsert: () => void = () => {};

  private insertUserNow(u: UserRow): void {
    this.beforeInsert();
    this.stmts.insertUser.run({ ...u, disabled: u.disabled ? 1 : 0 });
  }

  async insertUser(u: UserRow): Promise<void> {
    this.insertUserNow(u);
  }

  async insertUserWithToken(u: UserRow, t: NewToken): Promise<void> {
    this.db.transaction(() => {
      this.insertUserNow(u);
      this.stmts.insertToken.run({ token_id: t.token_id, user_id: t.user_id, name: t.name, hash: t.hash, created_at: t.created_at });
    })();
  }

  async updateUser(u: Pick<UserRow, 'user_id' | 'name' | 'role' | 'disabled' | 'updated_at'>): Promise<void> {
    this.stmts.updateUser.run({ user_id: u.user_id, name: u.name, role: u.role, disabled: u.disabled ? 1 : 0, updated_at: u.updated_at });
  }

  async disableUser(userId: string, at: string): Promise<number> {
    return this.db.transaction(() => {
      this.stmts.disable.run(at, userId);
      return this.stmts.revokeAllOf.run(at, userId).changes;
    })();
  }

  async activeAdminCount(): Promise<number> {
    return (this.stmts.activeAdmins.get() as { n: number }).n;
  }

  async activeUsersBesides(userId: string): Promise<number> {
    return (this.stmts.activeOthers.get(userId) as { n: number }).n;
  }

  async insertToken(t: NewToken): Promise<void> {
    this.stmts.insertToken.run({ token_id: t.token_id, user_id: t.user_id, name: t.name, hash: t.hash, created_at: t.created_at });
  }

  async tokenByHash(hash: string): Promise<TokenRow | undefined> {
    return this.stmts.tokenByHash.get(hash) as TokenRow | undefined;
  }

  async token(tokenId: string): Promise<TokenRow | undefined> {
    return this.stmts.token.get(tokenId) as TokenRow | undefined;
  }

  async tokensOf(userId: string): Promise<TokenRow[]> {
    return this.stmts.tokensOf.all(userId) as TokenRow[];
  }

  async revokeToken(tokenId: string, at: string): Promise<boolean> {
    return this.stmts.revoke.run(at, tokenId).changes > 0;
  }

  async revokeTokensOf(userId: string, at: string): Promise<number> {
    return this.stmts.revokeAllOf.run(at, userId).changes;
  }

  async touchToken(tokenId: string, at: string): Promise<void> {
    if (!this.db.open) return;
    this.stmts.touch.run(at, tokenId);
  }
}
