// The SQLite connection behind an app's repositories, for tests that look at rows the API does not
// show (sums of turns, the audit log's triggers). Such tests run on SQLite only.
import type Database from 'better-sqlite3';
import type { Repositories } from '../db/ports.js';
import type { SqliteRepositories } from '../db/sqlite/open-sqlite.js';

export function sqliteDatabase(repos: Repositories): Database.Database {
  if (repos.engine !== 'sqlite') throw new Error('this check reads the SQLite file itself');
  return (repos as SqliteRepositories).database;
}
