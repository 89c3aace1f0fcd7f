// The throwaway cluster (src/testing/pg-cluster.ts) and PostgreSQL migrations run exactly once when several
// replicas start together (an advisory lock inside one transaction).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import postgres from 'postgres';
import { connect } from '../src/db/postgres/connection.js';
import { migratePostgres } from '../src/db/postgres/migrate.js';
import { openPostgres } from '../src/db/postgres/open-postgres.js';
import { PG_MIGRATIONS } from '../src/db/postgres/schema.js';
import { pgSkipReason, sharedPgCluster, startPgCluster } from '../src/testing/pg-cluster.js';

const skip = pgSkipReason();
after(async () => {
  if (!skip) await (await sharedPgCluster()).stop();
});

test('a throwaway cluster starts, gives separate databases, and stop() removes its folder', { skip }, async () => {
  const cluster = await startPgCluster();
  const dir = new URL(cluster.url).port;
  const [a, b] = [await cluster.database(), await cluster.database()];
  assert.notEqual(a, b);
  const sa = postgres(a, { max: 1, onnotice: () => {} });
  const sb = postgres(b, { max: 1, onnotice: () => {} });
  await sa`CREATE TABLE only_in_a (x int)`;
  const [{ n }] = (await sb`SELECT COUNT(*)::int AS n FROM pg_tables WHERE tablename = 'only_in_a'`) as unknown as [{ n: number }];
  assert.equal(n, 0, 'each database is its own');
  const [{ dataDir }] = (await sa`SELECT current_setting('data_directory') AS "dataDir"`) as unknown as [{ dataDir: string }];
  await sa.end();
  await sb.end();
  assert.ok(fs.existsSync(dataDir), `cluster on port ${dir} keeps its data in ${dataDir}`);
  await cluster.stop();
  assert.ok(!fs.existsSync(dataDir), 'stop() removed the cluster folder');
  await assert.rejects(postgres(a, { max: 1, connect_timeout: 2, onnotice: () => {} })`SELECT 1`, 'the cluster no longer answers');
});

test('a cluster whose test process was killed is stopped and removed by the next start', { skip }, async () => {
  // A test process that starts a cluster, prints its data folder, and is then killed with SIGKILL (no exit handler runs).
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      "import('./src/testing/pg-cluster.ts').then(async (m) => { const c = await m.startPgCluster(); const s = (await import('postgres')).default(c.url, { max: 1 }); const [r] = await s`SELECT current_setting('data_directory') AS d`; console.log(r.d); await s.end(); setInterval(() => {}, 1000); })",
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const dataDir = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b;
      if (out.includes('\n')) resolve(out.trim());
    });
    child.once('exit', () => reject(new Error(`child exited before its cluster was up: ${out}`)));
  });
  const port = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[3]);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  assert.ok(fs.existsSync(dataDir), 'the killed process left its cluster behind');
  const next = await startPgCluster();
  try {
    assert.ok(!fs.existsSync(path.dirname(dataDir)), 'the next start removed it');
    await assert.rejects(
      postgres(`postgres://postgres@127.0.0.1:${port}/postgres`, { max: 1, connect_timeout: 2 })`SELECT 1`,
      'and stopped it',
    );
  } finally {
    await next.stop();
  }
});

test('five replicas migrating one fresh database together run each step exactly once', { skip }, async () => {
  const url = await (await sharedPgCluster()).database();
  // Steps with a side effect that counts their runs; a second run of step 1 would fail on CREATE TABLE.
  const steps = [
    'CREATE TABLE runs (step int NOT NULL); INSERT INTO runs VALUES (1)',
    'INSERT INTO runs VALUES (2)',
    'SELECT pg_sleep(0.05); INSERT INTO runs VALUES (3)',
  ];
  const pools = Array.from({ length: 5 }, () => connect(url, { max: 1 }));
  try {
    const applied = await Promise.all(pools.map((sql) => migratePostgres(sql, steps)));
    assert.deepEqual(applied.flat().sort(), [1, 2, 3], 'every step applied by exactly one replica');
    assert.equal(applied.filter((a) => a.length > 0).length, 1, 'one replica did it all, in one transaction');
    const sql = pools[0] as postgres.Sql;
    const runs = await sql<{ step: number }[]>`SELECT step FROM runs ORDER BY step`;
    assert.deepEqual(
      runs.map((r) => r.step),
      [1, 2, 3],
    );
    const versions = await sql<{ version: number }[]>`SELECT version FROM schema_migrations ORDER BY version`;
    assert.deepEqual(
      versions.map((r) => r.version),
      [1, 2, 3],
    );
    // A later start with one more step applies just that one.
    assert.deepEqual(await migratePostgres(sql, [...steps, 'INSERT INTO runs VALUES (4)']), [4]);
  } finally {
    await Promise.all(pools.map((p) => p.end()));
  }
});

test('the real schema: five openPostgres at once migrate it once, and the audit log refuses changes', { skip }, async () => {
  const url = await (await sharedPgCluster()).database();
  const repos = await Promise.all(Array.from({ length: 5 }, () => openPostgres(url, { max: 2 })));
  const sql = connect(url, { max: 1 });
  try {
    const versions = await sql<{ version: number }[]>`SELECT version FROM schema_migrations ORDER BY version`;
    assert.deepEqual(
      versions.map((r) => r.version),
      PG_MIGRATIONS.map((_, i) => i + 1),
    );
    const users = await sql<{ user_id: string }[]>`SELECT user_id FROM users`;
    assert.deepEqual(
      users.map((u) => u.user_id),
      ['default'],
      'the built-in admin, once',
    );
    const id = await (repos[0] as (typeof repos)[0]).audit.append({
      at: new Date().toISOString(),
      actor_user_id: 'default',
      action: 'test',
      target_user_id: null,
      session_id: null,
      detail: '{}',
    });
    assert.ok(id > 0);
    await assert.rejects(sql`UPDATE audit_log SET action = 'changed'`, /audit_log is append-only/);
    await assert.rejects(sql`DELETE FROM audit_log`, /audit_log is append-only/);
    await assert.rejects(sql`TRUNCATE audit_log`, /audit_log is append-only/);
    const [row] = await sql<{ action: string }[]>`SELECT action FROM audit_log WHERE id = ${id}`;
    assert.equal(row?.action, 'test');
  } finally {
    await sql.end();
    await Promise.all(repos.map((r) => r.close()));
  }
});

test('without PostgreSQL binaries the tests are skipped with the reason', () => {
  const before = process.env.PG_BIN;
  process.env.PG_BIN = '/nonexistent/postgresql/bin';
  try {
    assert.match(pgSkipReason() ?? '', /PostgreSQL server binaries not found \(apt-get install postgresql, or set PG_BIN\)/);
  } finally {
    if (before === undefined) delete process.env.PG_BIN;
    else process.env.PG_BIN = before;
  }
});
