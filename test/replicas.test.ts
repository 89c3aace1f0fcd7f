// The replicas view (issue 21 item 7): two replicas of one database (REPLICA_ID a and b; one SQLite
// file, and one PostgreSQL database where Debian's PostgreSQL is installed) each report their figures;
// GET /api/v1/replicas (admins) and /metrics on either one show both; a draining replica says so, a
// clean stop removes its row, a replica that stopped reporting goes stale after SESSION_LEASE_SECONDS and
// its row goes after an hour; restarting one replica leaves the other's CLI running.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import postgres from 'postgres';
import { isAlive } from '../src/core/cli/process-tree.js';
import { ScriptedModel } from '../src/demo/scripted-model.js';
import { freshPgDatabase, pgSkipReason, sharedPgCluster } from '../src/testing/pg-cluster.js';
import { type Harness, startHarness, tempDir } from './helpers/harness.js';
import { createUser } from './helpers/users.js';

interface Engine {
  skip: string | false;
  /** A fresh database's DATABASE_URL. */
  url(): Promise<string>;
  /** Adds a replica's row as if it last reported `secondsAgo` seconds ago (by the database's clock). */
  addRow(url: string, replicaId: string, secondsAgo: number): Promise<void>;
}

const ENGINES: Record<string, Engine> = {
  sqlite: {
    skip: false,
    url: async () => `sqlite:///${path.join(tempDir('csp-replicas-'), 'shared.db')}`,
    async addRow(url, id, secondsAgo) {
      const db = new Database(url.slice('sqlite:///'.length));
      try {
        db.prepare(
          `INSERT INTO replicas (replica_id, live_processes, max_sessions, pool_depth, draining, last_seen)
           VALUES (?, 3, 10, 0, 0, strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?))`,
        ).run(id, `-${secondsAgo} seconds`);
      } finally {
        db.close();
      }
    },
  },
  postgres: {
    skip: pgSkipReason() ?? false,
    url: () => freshPgDatabase(),
    async addRow(url, id, secondsAgo) {
      const sql = postgres(url, { max: 1, onnotice: () => {} });
      try {
        await sql`INSERT INTO replicas (replica_id, live_processes, max_sessions, pool_depth, draining, seen_at)
                  VALUES (${id}, 3, 10, 0, false, now() - make_interval(secs => ${secondsAgo}))`;
      } finally {
        await sql.end();
      }
    },
  },
};

after(async () => {
  if (!ENGINES.postgres?.skip) await (await sharedPgCluster()).stop();
});

for (const [name, engine] of Object.entries(ENGINES))
  describe(`replicas view on ${name}`, { skip: engine.skip }, () => replicasView(engine));

function replicasView(engine: Engine): void {
  const model = new ScriptedModel();
  let url = '';
  let shared: Record<string, string> = {};
  let a: Harness;
  let b: Harness;
  let bClosed = false;
  let bSession = '';

  before(async () => {
    await model.start();
    url = await engine.url();
    shared = { DATABASE_URL: url, SESSION_LEASE_SECONDS: '2', AGENT_JAIL: 'off' };
    a = await startHarness({ ...shared, REPLICA_ID: 'replica-a', MAX_SESSIONS: '4' }, { model });
    b = await startHarness({ ...shared, REPLICA_ID: 'replica-b', MAX_SESSIONS: '6' }, { model });
  });
  after(async () => {
    await a?.close();
    if (!bClosed) await b?.close();
    await model.close();
  });

  type Row = { replica_id: string; live_processes: number; max_sessions: number; draining: boolean; stale: boolean };
  const rows = async (h: Harness): Promise<Row[]> => {
    const r = await h.api('GET', '/api/v1/replicas');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.replicas;
  };
  const row = async (h: Harness, id: string) => (await rows(h)).find((r) => r.replica_id === id);

  test('each replica lists every replica with its figures; /health/ready names its own', async () => {
    for (const [h, self] of [
      [a, 'replica-a'],
      [b, 'replica-b'],
    ] as const) {
      const r = await h.api('GET', '/api/v1/replicas');
      assert.equal(r.body.this_replica, self);
      const list: Row[] = r.body.replicas;
      assert.deepEqual(
        list.map((x) => [x.replica_id, x.max_sessions, x.draining, x.stale]),
        [
          ['replica-a', 4, false, false],
          ['replica-b', 6, false, false],
        ],
      );
      assert.equal((await h.api('GET', '/api/v1/health/ready', undefined, null)).body.replica_id, self);
    }
    // A live session on b shows in b's row as seen from a (after b's next report).
    const c = await b.client();
    bSession = await c.createSession();
    await b.api('GET', '/api/v1/replicas'); // b reports now
    assert.equal((await row(a, 'replica-b'))?.live_processes, 1);
    assert.equal((await row(a, 'replica-a'))?.live_processes, 0);
  });

  test('/metrics on one replica has a series per replica', async () => {
    await a.api('GET', '/api/v1/replicas');
    const text = await fetch(`${a.url}/metrics`, { headers: { 'X-API-Key': a.key } }).then((r) => r.text());
    assert.match(text, /csp_replica_max_sessions\{replica_id="replica-a"\} 4/);
    assert.match(text, /csp_replica_max_sessions\{replica_id="replica-b"\} 6/);
    assert.match(text, /csp_replica_live_processes\{replica_id="replica-b"\} 1/);
    assert.match(text, /csp_replica_stale\{replica_id="replica-b"\} 0/);
  });

  test('admins only', async () => {
    const member = await createUser(a, 'Mia');
    const r = await member.api('GET', '/api/v1/replicas');
    assert.equal(r.status, 403);
    assert.equal(r.body.error, 'forbidden');
    assert.equal((await a.api('GET', '/api/v1/replicas', undefined, null)).status, 401);
  });

  test('a silent replica goes stale after the lease and its row goes after an hour', async () => {
    await engine.addRow(url, 'replica-paused', 10);
    await engine.addRow(url, 'replica-long-gone', 2 * 3600);
    const list = await rows(a);
    const paused = list.find((r) => r.replica_id === 'replica-paused');
    assert.equal(paused?.stale, true, 'unseen for longer than SESSION_LEASE_SECONDS');
    assert.equal(list.find((r) => r.replica_id === 'replica-a')?.stale, false);
    assert.equal(
      list.some((r) => r.replica_id === 'replica-long-gone'),
      false,
      'pruned at the heartbeat',
    );
  });

  test("restarting one replica leaves another's CLI processes running (start-up ends only its own)", async () => {
    const pid = (await b.api('GET', `/api/v1/sessions/${bSession}`)).body.subprocess_pid as number;
    assert.ok(pid > 0 && isAlive(pid));
    await a.close();
    a = await startHarness({ ...shared, REPLICA_ID: 'replica-a', MAX_SESSIONS: '4' }, { model });
    assert.equal(isAlive(pid), true, "replica-b's CLI survived replica-a's start-up");
    assert.equal((await row(a, 'replica-b'))?.live_processes, 1);
  });

  test('a draining replica says so; a clean stop removes its row', async () => {
    await b.built.shutdown();
    // b's own answer reports first, so it is current.
    assert.equal((await row(b, 'replica-b'))?.draining, true);
    assert.equal((await row(a, 'replica-b'))?.draining, true);
    await b.close();
    bClosed = true;
    assert.equal(await row(a, 'replica-b'), undefined);
  });
}
