// A throwaway PostgreSQL cluster for tests: Debian's binaries, `initdb --no-sync` into a temp folder,
// loopback TCP on a free port (its unix socket in the same folder), removed on stop() and at process exit.
// As root the cluster runs as the `postgres` OS user (initdb refuses root); otherwise as the current user.
// One cluster per test process; each caller takes a fresh database of it (CREATE DATABASE is milliseconds).
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';

const run = promisify(execFile);

export interface PgCluster {
  /** The cluster's `postgres` database (superuser, no password: trust on loopback only). */
  url: string;
  /** A new, empty database of this cluster; its URL. */
  database(): Promise<string>;
  /** Stops the cluster and removes its folder. */
  stop(): Promise<void>;
}

/** The folder of PostgreSQL's server binaries (PG_BIN, else Debian's newest), or null when absent. */
export function pgBinDir(): string | null {
  const candidates = process.env.PG_BIN ? [process.env.PG_BIN] : ['15', '16', '17', '14'].map((v) => `/usr/lib/postgresql/${v}/bin`);
  return candidates.find((d) => fs.existsSync(path.join(d, 'initdb')) && fs.existsSync(path.join(d, 'pg_ctl'))) ?? null;
}

/** Why PostgreSQL tests are skipped here, or undefined when they can run. */
export function pgSkipReason(): string | undefined {
  return pgBinDir() ? undefined : 'PostgreSQL server binaries not found (apt-get install postgresql, or set PG_BIN)';
}

/** uid/gid of the `postgres` OS user when we are root (initdb refuses root), else undefined (run as ourselves). */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('running as root, but there is no postgres OS user to run PostgreSQL as');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Stops and removes clusters whose test process died without its exit handler (SIGKILL, a timeout). */
function reapOrphans(bin: string): void {
  for (const name of fs.readdirSync(os.tmpdir())) {
    if (!name.startsWith('csp-pg-')) continue;
    const dir = path.join(os.tmpdir(), name);
    try {
      // No owner file yet: a cluster being created right now.
      const owner = Number(fs.readFileSync(path.join(dir, 'owner.pid'), 'utf8').trim());
      if (!owner || alive(owner)) continue;
      try {
        execFileSync(path.join(bin, 'pg_ctl'), ['-D', path.join(dir, 'data'), 'stop', '-m', 'immediate', '-w'], {
          stdio: 'ignore',
          ...runAs(),
        });
      } catch {}
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {}
  }
}

/** Starts a new cluster. Throws when the binaries are absent (check pgSkipReason first). */
export async function startPgCluster(): Promise<PgCluster> {
  const bin = pgBinDir();
  if (!bin) throw new Error(pgSkipReason());
  reapOrphans(bin);
  const user = runAs();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-pg-'));
  fs.writeFileSync(path.join(dir, 'owner.pid'), String(process.pid));
  if (user) fs.chownSync(dir, user.uid, user.gid);
  const data = path.join(dir, 'data');
  const opts = { cwd: dir, ...user, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' } };
  const pgCtl = path.join(bin, 'pg_ctl');
  let stopped = false;
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    try {
      execFileSync(pgCtl, ['-D', data, 'stop', '-m', 'immediate', '-w'], { ...opts, stdio: 'ignore' });
    } catch {}
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);
  try {
    await run(
      path.join(bin, 'initdb'),
      ['--no-sync', '-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8'],
      opts,
    );
    // A port taken between our probe and the start fails the start: try another.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const settings = `-c listen_addresses=127.0.0.1 -c port=${port} -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
      try {
        await run(pgCtl, ['-D', data, '-l', path.join(dir, 'log'), '-o', settings, '-w', '-t', '60', 'start'], opts);
      } catch (err) {
        if (attempt < 3) continue;
        const log = fs.existsSync(path.join(dir, 'log')) ? fs.readFileSync(path.join(dir, 'log'), 'utf8') : '';
        throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${log}`);
      }
      const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
      return {
        url,
        async database() {
          const name = `t_${randomBytes(6).toString('hex')}`;
          const sql = postgres(url, { max: 1, onnotice: () => {} });
          try {
            await sql.unsafe(`CREATE DATABASE ${name}`);
          } finally {
            await sql.end();
          }
          return `postgres://postgres@127.0.0.1:${port}/${name}`;
        },
        async stop() {
          if (stopped) return;
          stopped = true;
          process.removeListener('exit', stopSync);
          await run(pgCtl, ['-D', data, 'stop', '-m', 'fast', '-w'], opts).catch(() => {});
          fs.rmSync(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (err) {
    stopSync();
    process.removeListener('exit', stopSync);
    throw err;
  }
}

let shared: Promise<PgCluster> | undefined;

/** This process's one cluster, started on first use and removed at exit. */
export function sharedPgCluster(): Promise<PgCluster> {
  shared ??= startPgCluster();
  return shared;
}

/** A fresh database on this process's cluster. */
export async function freshPgDatabase(): Promise<string> {
  return (await sharedPgCluster()).database();
}
