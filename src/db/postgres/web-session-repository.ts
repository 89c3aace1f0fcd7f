// Browser sign-ins on PostgreSQL (ports.ts, WebSessionRepository), keyed by the SHA-256 of the cookie value.
import type { WebSessionRepository, WebSessionRow } from '../ports.js';
import { type PgDatabase, query } from './connection.js';

const COLUMNS = 'token_hash, id, user_id, via, credential, user_agent, created_at, last_used_at, expires_at';
const hashes = (r: readonly { token_hash: string }[]) => r.map((x) => x.token_hash);

export class PgWebSessionRepository implements WebSessionRepository {
  constructor(private readonly db: PgDatabase) {}

  async insert(r: WebSessionRow): Promise<void> {
    await this.db.write(undefined, async (sql) => {
      await sql`INSERT INTO web_sessions (token_hash, id, user_id, via, credential, user_agent, created_at, last_used_at, expires_at)
                VALUES (${r.token_hash}, ${r.id}, ${r.user_id}, ${r.via}, ${r.credential}, ${r.user_agent}, ${r.created_at},
                  ${r.last_used_at}, ${r.expires_at})`;
    });
  }

  async get(tokenHash: string): Promise<WebSessionRow | undefined> {
    const [r] = await this.db.sql.unsafe(`SELECT ${COLUMNS} FROM web_sessions WHERE token_hash = $1`, [tokenHash]);
    return r as WebSessionRow | undefined;
  }

  async of(userId: string, now: string): Promise<WebSessionRow[]> {
    return query<WebSessionRow>(
      this.db.sql,
      `SELECT ${COLUMNS} FROM web_sessions WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id`,
      [userId, now],
    );
  }

  async delete(tokenHash: string): Promise<boolean> {
    return this.db.write(false, async (sql) => (await sql`DELETE FROM web_sessions WHERE token_hash = ${tokenHash}`).count > 0);
  }

  async deleteAllOf(userId: string): Promise<string[]> {
    return this.db.write([], async (sql) =>
      hashes(await sql<{ token_hash: string }[]>`DELETE FROM web_sessions WHERE user_id = ${userId} RETURNING token_hash`),
    );
  }

  async deleteByCredential(credential: string): Promise<string[]> {
    return this.db.write([], async (sql) =>
      hashes(await sql<{ token_hash: string }[]>`DELETE FROM web_sessions WHERE credential = ${credential} RETURNING token_hash`),
    );
  }

  async deleteKeySignInsExcept(credential: string): Promise<string[]> {
    return this.db.write([], async (sql) =>
      hashes(
        await sql<{ token_hash: string }[]>`
          DELETE FROM web_sessions WHERE via = 'key' AND (credential IS NULL OR credential != ${credential}) RETURNING token_hash`,
      ),
    );
  }

  async touch(tokenHash: string, at: string): Promise<void> {
    await this.db.write(undefined, async (sql) => {
      await sql`UPDATE web_sessions SET last_used_at = ${at} WHERE token_hash = ${tokenHash}`;
    });
  }

  async deleteExpired(now: string): Promise<number> {
    return this.db.write(0, async (sql) => (await sql`DELETE FROM web_sessions WHERE expires_at <= ${now}`).count);
  }
}
