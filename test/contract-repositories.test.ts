// One contract for every storage engine (src/db/ports.ts): the same cases
// (test/helpers/repository-contract.ts) run against each engine listed below.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { openSqlite } from '../src/db/sqlite/open-sqlite.js';
import { sqliteDatabase } from '../src/testing/sqlite-database.js';
import { type Engine, repositoryContract } from './helpers/repository-contract.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-contract-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
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
    // The PostgreSQL engine (src/db/postgres/) plugs in here: open() gives a fresh database on a
    // throwaway cluster, exec() runs the statement on its own connection.
    skip: 'no PostgreSQL engine yet',
    open: () => Promise.reject(new Error('no PostgreSQL engine yet')),
    exec: () => Promise.reject(new Error('no PostgreSQL engine yet')),
  },
];

for (const engine of ENGINES) repositoryContract(engine);
