// The repository contract (src/db/ports.ts) as test cases, run against every engine by
// test/contract-repositories.test.ts. Each case opens a fresh, empty database and closes it.
import { test } from 'node:test';
import { accountCases } from './contract-accounts.js';
import { searchCases } from './contract-search.js';
import { sessionCases } from './contract-sessions.js';
import type { Case, Engine } from './repository-fixtures.js';

export type { Engine } from './repository-fixtures.js';

export function repositoryContract(engine: Engine): void {
  /** One case on a fresh database. */
  const it: Case = (name, fn) =>
    test(name, { skip: engine.skip ?? false }, async () => {
      const r = await engine.open();
      try {
        await fn(r);
      } finally {
        await r.close();
      }
    });
  sessionCases(engine, it);
  searchCases(engine, it);
  accountCases(engine, it);
}
