// One contract for every storage engine (src/db/ports.ts): the same cases
// (test/helpers/repository-contract.ts) run against each engine listed below.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import postgres from 'postgres';
import type { Repositories } from '../src/db/ports.js';
import { openPostgres } from '../src/db/postgres/open-postgres.js';
import { openSqlite } from '../src/db/sqlite/open-sqlite.js';
import { freshPgDatabase, pgSkipReason, sharedPgCluster } from '../src/testing/pg-cluster.js';
import { sqliteDatabase } from '../src/testing/sqlite-database.js';
import { type Engine, repositoryContract } from './helpers/repository-contract.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-contract-'));
after(async () => {
  fs.rmSync(dir, { recursive: true, force: true });
  if (!pgSkipReason()) await (await sharedPgCluster()).stop();
});
/** Each PostgreSQL case's database, for exec(). */
const urls = new WeakMap<Repositories, string>();
let n = 0;

// ---------------------------------------------------------------- the engines
// Every engine the suite runs against. An engine that cannot run here says why in `skip`
// (its cases are reported skipped), so this file runs wherever SQLite does.
const ENGINES: Engine[] = [
  {
    name: 'sqlite',
    // A file, not :memory:, so WAL and the on-disk schema are what is tested.
    open: () => openSqlite(path.join(dir, `contract-${++n}.db`)),
    exec: async (r, sql) => {
      sqliteDatabase(r).exec(sql);
    },
  },
  {
    name: 'postgres',
    // A fresh database on a throwaway cluster per case; skipped where Debian's PostgreSQL is not installed.
    skip: pgSkipReason(),
    open: async () => {
      const url = await freshPgDatabase();
      const r = await openPostgres(url);
      urls.set(r, url);
      return r;
    },
    exec: async (r, text) => {
      const sql = postgres(urls.get(r) as string, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(text);
      } finally {
        await sql.end();
      }
    },
  },
];

for (const engine of ENGINES) repositoryContract(engine);
