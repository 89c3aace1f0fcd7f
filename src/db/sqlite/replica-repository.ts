// The replicas view on SQLite (ports.ts, ReplicaRepository). One host holds one replica, but the
// view works the same: its row, stamped by SQLite's clock.
import type Database from 'better-sqlite3';
import type { ReplicaRecord, ReplicaRepository } from '../ports.js';

const NOW = `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`;

interface Row extends Omit<ReplicaRecord, 'draining'> {
  draining: number;
}

export class SqliteReplicaRepository implements ReplicaRepository {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      upsert: db.prepare(
        `INSERT INTO replicas (replica_id, live_processes, max_sessions, pool_depth, draining, last_seen)
         VALUES (@replica_id, @live_processes, @max_sessions, @pool_depth, @draining, ${NOW})
         ON CONFLICT(replica_id) DO UPDATE SET live_processes = excluded.live_processes, max_sessions = excluded.max_sessions,
           pool_depth = excluded.pool_depth, draining = excluded.draining, last_seen = excluded.last_seen`,
      ),
      prune: db.prepare(`DELETE FROM replicas WHERE (julianday('now') - julianday(last_seen)) * 86400 > ?`),
      list: db.prepare(
        `SELECT *, max(0, (julianday('now') - julianday(last_seen)) * 86400) AS seen_seconds_ago FROM replicas ORDER BY replica_id`,
      ),
      remove: db.prepare('DELETE FROM replicas WHERE replica_id = ?'),
    };
  }

  async heartbeat(r: Omit<ReplicaRecord, 'last_seen' | 'seen_seconds_ago'>, pruneAfterSeconds: number): Promise<void> {
    if (!this.db.open) return;
    this.db.transaction(() => {
      this.stmts.upsert.run({ ...r, draining: r.draining ? 1 : 0 });
      this.stmts.prune.run(pruneAfterSeconds);
    })();
  }

  async list(): Promise<ReplicaRecord[]> {
    return (this.stmts.list.all() as Row[]).map((r) => ({ ...r, draining: r.draining === 1 }));
  }

  async remove(replicaId: string): Promise<void> {
    if (!this.db.open) return;
    this.stmts.remove.run(replicaId);
  }
}
