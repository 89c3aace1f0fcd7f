// The connection pool of one PostgreSQL database, shared by its repositories, and the rule every write
// follows: after close() a write resolves and changes nothing (a child may exit after shutdown).
import postgres, { type Sql } from 'postgres';
import type { FenceProvider } from '../leases.js';

export class PgDatabase {
  closed = false;

  constructor(
    readonly sql: Sql,
    /** Several replicas: a session's rows are written only under this replica's lease (db/leases.ts). */
    readonly fence?: FenceProvider | undefined,
  ) {}

  /** Runs a write unless closed (then resolves to `closedValue`). */
  async write<T>(closedValue: T, fn: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.closed) return closedValue;
    return fn(this.sql);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // end() lets queries in flight finish, then closes every connection.
    await this.sql.end({ timeout: 5 });
  }
}

/** PostgreSQL text cannot hold U+0000 (SQLite can): it is stored as U+FFFD, which also separates words in search. */
const textWithoutNul = (v: unknown) => (typeof v === 'string' ? v.replace(/\0/g, '\uFFFD') : String(v));

/**
 * A pool for `url`: COUNT(*), BIGINT ids and sums come back as numbers (every value here fits in 2^53); text
 * parameters lose U+0000 (a title or message holding one would otherwise fail its write).
 */
export function connect(url: string, opts: { max?: number } = {}): Sql {
  return postgres(url, {
    max: opts.max ?? 10,
    onnotice: () => {},
    types: {
      bigint: { to: 20, from: [20], serialize: (v: number) => String(v), parse: (v: string) => Number(v) },
      text: { to: 25, from: [25, 1043], serialize: textWithoutNul, parse: (v: string) => v },
    },
  });
}

/** The rows of a query written as text (fixed SQL, values bound as $1…). */
export async function query<T>(sql: Sql, text: string, args: unknown[] = []): Promise<T[]> {
  return [...(await sql.unsafe(text, args as never[]))] as unknown as T[];
}
