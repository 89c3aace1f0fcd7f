// The replicas view on PostgreSQL (ports.ts, ReplicaRepository): each replica's row, stamped and
// aged by the database's clock, so replicas whose clocks disagree still agree on who is stale.
import type { ReplicaRecord, ReplicaRepository } from '../ports.js';
import type { PgDatabase } from './connection.js';

export class PgReplicaRepository implements ReplicaRepository {
  constructor(private readonly db: PgDatabase) {}

  async heartbeat(r: Omit<ReplicaRecord, 'last_seen' | 'seen_seconds_ago'>, pruneAfterSeconds: number): Promise<void> {
    await this.db.write(undefined, async (sql) => {
      await sql.unsafe(
        `INSERT INTO replicas (replica_id, live_processes, max_sessions, pool_depth, draining, seen_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (replica_id) DO UPDATE SET live_processes = excluded.live_processes, max_sessions = excluded.max_sessions,
           pool_depth = excluded.pool_depth, draining = excluded.draining, seen_at = excluded.seen_at`,
        [r.replica_id, r.live_processes, r.max_sessions, r.pool_depth, r.draining] as never,
      );
      await sql`DELETE FROM replicas WHERE seen_at < now() - make_interval(secs => ${pruneAfterSeconds})`;
    });
  }

  async list(): Promise<ReplicaRecord[]> {
    const rows = await this.db.sql.unsafe(
      `SELECT replica_id, live_processes, max_sessions, pool_depth, draining,
              to_char(seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS last_seen,
              greatest(0, extract(epoch FROM now() - seen_at))::float8 AS seen_seconds_ago
         FROM replicas ORDER BY replica_id`,
    );
    return [...rows] as unknown as ReplicaRecord[];
  }

  async remove(replicaId: string): Promise<void> {
    await this.db.write(undefined, async (sql) => {
      await sql`DELETE FROM replicas WHERE replica_id = ${replicaId}`;
    });
  }
}
