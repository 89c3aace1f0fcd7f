// Session leases on PostgreSQL (issue 21 item 4; table session_leases, schema step 2): one row per
// session ever held, expiry by the database's clock, the epoch bumped whenever the lease changes hands
// (or is taken again after it expired), each operation one statement.
import type { Sql } from 'postgres';
import type { LeaseRepository, LeaseRow } from '../leases.js';

type Row = { session_id: string; owner: string; epoch: string | number; expires_at: Date };

const lease = (r: Row): LeaseRow => ({ session_id: r.session_id, owner: r.owner, epoch: Number(r.epoch), expires_at: r.expires_at });

export class PgLeaseRepository implements LeaseRepository {
  constructor(private readonly sql: Sql) {}

  async acquire(sessionId: string, owner: string, ttlSeconds: number): Promise<LeaseRow | undefined> {
    const [r] = await this.sql<Row[]>`
      INSERT INTO session_leases AS l (session_id, owner, epoch, expires_at)
      VALUES (${sessionId}, ${owner}, 1, now() + ${ttlSeconds} * interval '1 second')
      ON CONFLICT (session_id) DO UPDATE SET
        epoch = l.epoch + CASE WHEN l.owner = EXCLUDED.owner AND l.expires_at > now() THEN 0 ELSE 1 END,
        owner = EXCLUDED.owner,
        expires_at = EXCLUDED.expires_at
      WHERE l.owner = EXCLUDED.owner OR l.expires_at <= now()
      RETURNING l.session_id, l.owner, l.epoch, l.expires_at`;
    return r ? lease(r) : undefined;
  }

  async get(sessionId: string): Promise<LeaseRow | undefined> {
    const [r] = await this.sql<Row[]>`SELECT session_id, owner, epoch, expires_at FROM session_leases WHERE session_id = ${sessionId}`;
    return r ? lease(r) : undefined;
  }

  async renew(owner: string, sessionIds: string[], ttlSeconds: number): Promise<LeaseRow[]> {
    if (sessionIds.length === 0) return [];
    const rows = await this.sql<Row[]>`
      UPDATE session_leases SET expires_at = now() + ${ttlSeconds} * interval '1 second'
      WHERE owner = ${owner} AND session_id = ANY(${sessionIds}::text[]) AND expires_at > now()
      RETURNING session_id, owner, epoch, expires_at`;
    return rows.map(lease);
  }

  async release(sessionId: string, owner: string, epoch: number): Promise<boolean> {
    const rows = await this.sql`
      UPDATE session_leases SET expires_at = now()
      WHERE session_id = ${sessionId} AND owner = ${owner} AND epoch = ${epoch} AND expires_at > now()
      RETURNING 1`;
    return rows.length > 0;
  }

  async releaseAll(owner: string): Promise<number> {
    const rows = await this.sql`UPDATE session_leases SET expires_at = now() WHERE owner = ${owner} AND expires_at > now() RETURNING 1`;
    return rows.length;
  }

  async othersOf(owner: string, sessionIds: string[]): Promise<Set<string>> {
    if (sessionIds.length === 0) return new Set();
    const rows = await this.sql<{ session_id: string }[]>`
      SELECT session_id FROM session_leases WHERE session_id = ANY(${sessionIds}::text[]) AND owner <> ${owner}`;
    return new Set(rows.map((r) => r.session_id));
  }

  async liveCountsByOwner(): Promise<Map<string, number>> {
    const rows = await this.sql<{ owner: string; n: string }[]>`
      SELECT owner, count(*) AS n FROM session_leases WHERE expires_at > now() GROUP BY owner`;
    return new Map(rows.map((r) => [r.owner, Number(r.n)]));
  }
}
