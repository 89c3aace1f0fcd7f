// The replicas view's rows (db/ports.ts, ReplicaRepository), the same checks on each engine: SQLite
// always, PostgreSQL on a throwaway cluster where Debian's PostgreSQL is installed. Times come from the
// database's clock.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { ReplicaRepository } from '../src/db/ports.js';
import { connect, PgDatabase } from '../src/db/postgres/connection.js';
import { openPostgres } from '../src/db/postgres/open-postgres.js';
import { PgReplicaRepository } from '../src/db/postgres/replica-repository.js';
import { migrate } from '../src/db/sqlite/migrations.js';
import { SqliteReplicaRepository } from '../src/db/sqlite/replica-repository.js';
import { freshPgDatabase, pgSkipReason, sharedPgCluster } from '../src/testing/pg-cluster.js';
import { tempDir } from './helpers/harness.js';

interface Engine {
  repo: ReplicaRepository;
  /** Moves a row's last report back by `seconds` (a replica that went silent). */
  age(replicaId: string, seconds: number): Promise<void>;
  close(): Promise<void>;
}

const ENGINES: Record<string, { skip: string | false; open(): Promise<Engine> }> = {
  sqlite: {
    skip: false,
    async open() {
      const db = new Database(path.join(tempDir('csp-replica-repo-'), 'x.db'));
      migrate(db);
      return {
        repo: new SqliteReplicaRepository(db),
        async age(id, s) {
          db.prepare(`UPDATE replicas SET last_seen = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?) WHERE replica_id = ?`).run(
            `-${s} seconds`,
            id,
          );
        },
        async close() {
          db.close();
        },
      };
    },
  },
  postgres: {
    skip: pgSkipReason() ?? false,
    async open() {
      const url = await freshPgDatabase();
      const r = await openPostgres(url); // migrated
      const sql = connect(url, { max: 1 });
      return {
        repo: new PgReplicaRepository(new PgDatabase(sql)),
        async age(id, s) {
          await sql`UPDATE replicas SET seen_at = now() - make_interval(secs => ${s}) WHERE replica_id = ${id}`;
        },
        async close() {
          await sql.end();
          await r.close();
        },
      };
    },
  },
};

after(async () => {
  if (!ENGINES.postgres?.skip) await (await sharedPgCluster()).stop();
});

const figures = (id: string, over: Partial<{ live_processes: number; draining: boolean }> = {}) => ({
  replica_id: id,
  live_processes: 2,
  max_sessions: 10,
  pool_depth: 1,
  draining: false,
  ...over,
});

for (const [name, engine] of Object.entries(ENGINES)) {
  describe(`replica rows on ${name}`, { skip: engine.skip }, () => {
    test('a heartbeat upserts its row stamped by the database; list by id; remove; old rows pruned', async () => {
      const e = await engine.open();
      try {
        await e.repo.heartbeat(figures('b'), 3600);
        await e.repo.heartbeat(figures('a'), 3600);
        await e.repo.heartbeat(figures('b', { live_processes: 5, draining: true }), 3600);
        const list = await e.repo.list();
        assert.deepEqual(
          list.map((r) => [r.replica_id, r.live_processes, r.max_sessions, r.pool_depth, r.draining]),
          [
            ['a', 2, 10, 1, false],
            ['b', 5, 10, 1, true],
          ],
        );
        for (const r of list) {
          assert.match(r.last_seen, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
          assert.ok(r.seen_seconds_ago >= 0 && r.seen_seconds_ago < 60, String(r.seen_seconds_ago));
        }
        await e.age('a', 30);
        const a = (await e.repo.list()).find((r) => r.replica_id === 'a');
        assert.ok(a && a.seen_seconds_ago >= 29 && a.seen_seconds_ago < 90, `aged: ${a?.seen_seconds_ago}`);
        // b's next report prunes rows unseen for longer than asked (a: 30 s).
        await e.repo.heartbeat(figures('b'), 20);
        assert.deepEqual(
          (await e.repo.list()).map((r) => r.replica_id),
          ['b'],
        );
        await e.repo.remove('b');
        assert.deepEqual(await e.repo.list(), []);
      } finally {
        await e.close();
      }
    });
  });
}
