// Users and their personal tokens on PostgreSQL (ports.ts, UserRepository). Tokens are kept as SHA-256 only.
import type { Sql, TransactionSql } from 'postgres';
import type { NewToken, TokenRow, UserRepository, UserRow } from '../ports.js';
import { type PgDatabase, query } from './connection.js';

const TOKEN_COLUMNS = 'token_id, user_id, name, created_at, last_used_at, revoked_at';
const USER_COLUMNS = 'user_id, name, role, oidc_subject, disabled, created_at, updated_at';

export class PgUserRepository implements UserRepository {
  beforeInsert: () => void = () => {};

  constructor(private readonly db: PgDatabase) {}

  private get sql() {
    return this.db.sql;
  }

  private async oneUser(where: string, arg: string): Promise<UserRow | undefined> {
    const [r] = await this.sql.unsafe(`SELECT ${USER_COLUMNS} FROM users WHERE ${where} = $1`, [arg]);
    return r as UserRow | undefined;
  }

  user(userId: string): Promise<UserRow | undefined> {
    return this.oneUser('user_id', userId);
  }

  userBySubject(subject: string): Promise<UserRow | undefined> {
    return this.oneUser('oidc_subject', subject);
  }

  async users(): Promise<UserRow[]> {
    return query<UserRow>(this.sql, `SELECT ${USER_COLUMNS} FROM users ORDER BY created_at, user_id`);
  }

  private async insert(sql: Sql | TransactionSql, u: UserRow): Promise<void> {
    await sql`INSERT INTO users (user_id, name, role, oidc_subject, disabled, created_at, updated_at)
              VALUES (${u.user_id}, ${u.name}, ${u.role}, ${u.oidc_subject}, ${u.disabled}, ${u.created_at}, ${u.updated_at})`;
  }

  private async insertTokenWith(sql: Sql | TransactionSql, t: NewToken): Promise<void> {
    await sql`INSERT INTO api_tokens (token_id, user_id, name, hash, created_at)
              VALUES (${t.token_id}, ${t.user_id}, ${t.name}, ${t.hash}, ${t.created_at})`;
  }

  async insertUser(u: UserRow): Promise<void> {
    this.beforeInsert();
    await this.db.write(undefined, (sql) => this.insert(sql, u));
  }

  async insertUserWithToken(u: UserRow, t: NewToken): Promise<void> {
    this.beforeInsert();
    await this.db.write(undefined, (sql) =>
      sql.begin(async (tx) => {
        await this.insert(tx, u);
        await this.insertTokenWith(tx, t);
      }),
    );
  }

  async updateUser(u: Pick<UserRow, 'user_id' | 'name' | 'role' | 'disabled' | 'updated_at'>): Promise<void> {
    await this.db.write(undefined, async (sql) => {
      await sql`UPDATE users SET name = ${u.name}, role = ${u.role}, disabled = ${u.disabled}, updated_at = ${u.updated_at}
                WHERE user_id = ${u.user_id}`;
    });
  }

  async disableUser(userId: string, at: string): Promise<number> {
    return this.db.write(0, (sql) =>
      sql.begin(async (tx) => {
        await tx`UPDATE users SET disabled = true, updated_at = ${at} WHERE user_id = ${userId}`;
        return (await tx`UPDATE api_tokens SET revoked_at = ${at} WHERE user_id = ${userId} AND revoked_at IS NULL`).count;
      }),
    );
  }

  async activeAdminCount(): Promise<number> {
    const [r] = await this.sql<{ n: number }[]>`SELECT COUNT(*) AS n FROM users WHERE role = 'admin' AND NOT disabled`;
    return r?.n ?? 0;
  }

  async activeUsersBesides(userId: string): Promise<number> {
    const [r] = await this.sql<{ n: number }[]>`SELECT COUNT(*) AS n FROM users WHERE user_id != ${userId} AND NOT disabled`;
    return r?.n ?? 0;
  }

  async insertToken(t: NewToken): Promise<void> {
    await this.db.write(undefined, (sql) => this.insertTokenWith(sql, t));
  }

  private async oneToken(where: string, arg: string): Promise<TokenRow | undefined> {
    const [r] = await this.sql.unsafe(`SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE ${where} = $1`, [arg]);
    return r as TokenRow | undefined;
  }

  tokenByHash(hash: string): Promise<TokenRow | undefined> {
    return this.oneToken('hash', hash);
  }

  token(tokenId: string): Promise<TokenRow | undefined> {
    return this.oneToken('token_id', tokenId);
  }

  async tokensOf(userId: string): Promise<TokenRow[]> {
    return query<TokenRow>(this.sql, `SELECT ${TOKEN_COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at, token_id`, [userId]);
  }

  async revokeToken(tokenId: string, at: string): Promise<boolean> {
    return this.db.write(false, async (sql) => {
      return (await sql`UPDATE api_tokens SET revoked_at = ${at} WHERE token_id = ${tokenId} AND revoked_at IS NULL`).count > 0;
    });
  }

  async revokeTokensOf(userId: string, at: string): Promise<number> {
    return this.db.write(0, async (sql) => {
      return (await sql`UPDATE api_tokens SET revoked_at = ${at} WHERE user_id = ${userId} AND revoked_at IS NULL`).count;
    });
  }

  async touchToken(tokenId: string, at: string): Promise<void> {
    await this.db.write(undefined, async (sql) => {
      await sql`UPDATE api_tokens SET last_used_at = ${at} WHERE token_id = ${tokenId}`;
    });
  }
}
