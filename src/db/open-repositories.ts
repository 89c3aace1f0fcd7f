// Picks the storage engine from the configuration and opens it. Called once, by the composition
// root (app.ts); everything else receives the Repositories it returns.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/config.js';
import type { FenceProvider } from './leases.js';
import type { Repositories } from './ports.js';
import { openPostgres } from './postgres/open-postgres.js';
import { openSqlite } from './sqlite/open-sqlite.js';

/** The data folder 0700 when we create it, the database file 0600: they hold every conversation. */
function prepareDataFiles(databasePath: string): void {
  const dir = path.dirname(databasePath);
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.closeSync(fs.openSync(databasePath, 'a', 0o600));
  fs.chmodSync(databasePath, 0o600);
}

export interface OpenOptions {
  /** Several replicas: the leases every write of a session's rows is checked against (PostgreSQL only). */
  fence?: FenceProvider | undefined;
}

export async function openRepositories(
  config: Pick<Config, 'databasePath' | 'postgresUrl'>,
  opts: OpenOptions = {},
): Promise<Repositories> {
  // DATABASE_URL=postgres://… or postgresql://… (config.postgresUrl): PostgreSQL, fenced by the replica's
  // leases; the data folder still holds this server's local files. Anything else: the SQLite file.
  if (config.postgresUrl) {
    const dir = path.dirname(config.databasePath);
    if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    return openPostgres(config.postgresUrl, { fence: opts.fence });
  }
  prepareDataFiles(config.databasePath);
  return openSqlite(config.databasePath);
}
