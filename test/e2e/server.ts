// Starts the real server (node dist/main.js, built by `npm run test:e2e`) as a
// child process on the built-in demo model, with its own temp database, CLI
// config dir and project dir. stop() sends SIGTERM and makes sure nothing of
// its process group is left.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../helpers/server-process.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MAIN = path.join(ROOT, 'dist/main.js');

export interface ServerOptions {
  permissionMode?: 'default' | 'bypassPermissions';
  /** Reuse the state (database, CLI transcripts) of an earlier server. */
  dir?: string;
  port?: number;
  env?: Record<string, string>;
}

export class TestServer {
  readonly key = 'e2e-key-0123456789';
  private proc: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly opts: ServerOptions,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The link the server prints: it carries the key in the fragment, which never reaches a server. */
  get chatUrl(): string {
    return `${this.url}/chat#token=${encodeURIComponent(this.key)}`;
  }

  static async start(opts: ServerOptions = {}): Promise<TestServer> {
    if (!fs.existsSync(MAIN)) throw new Error('dist/main.js is missing: run `npm run build` (npm run test:e2e does)');
    const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'csp-e2e-'));
    const s = new TestServer(dir, opts.port ?? (await freePort()), opts);
    await s.boot();
    return s;
  }

  private async boot(): Promise<void> {
    const project = path.join(this.dir, 'project');
    fs.mkdirSync(project, { recursive: true });
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      // Its own HOME: the host's shell profile (pyenv rehash here) must not print into tool output,
      // which it does when the Bash sandbox refuses its writes.
      HOME: this.dir,
      CLAUDE_SDK_PATTERN_API_KEY: this.key,
      CLAUDE_CONFIG_DIR: path.join(this.dir, 'claude-config'),
      DATABASE_URL: `sqlite:///${path.join(this.dir, 'sessions.db')}`,
      PROJECT_DIR: project,
      HOST: '127.0.0.1',
      PORT: String(this.port),
      PREWARM_POOL_SIZE: '0',
      PERMISSION_MODE: this.opts.permissionMode ?? 'bypassPermissions',
      SHUTDOWN_GRACE_SECONDS: '3',
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'WARN',
      ...this.opts.env,
    };
    const log = fs.openSync(path.join(this.dir, 'server.log'), 'a');
    // Its own process group, so teardown can reach every CLI process it started.
    const proc = spawn(process.execPath, [MAIN], { cwd: ROOT, env, detached: true, stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once('exit', () => resolve()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}: see ${this.dir}/server.log\n${this.log()}`);
      try {
        const res = await fetch(`${this.url}/api/v1/health/live`);
        if (res.ok) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`server did not become live: ${this.dir}/server.log\n${this.log()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  log(): string {
    try {
      return fs.readFileSync(path.join(this.dir, 'server.log'), 'utf8').slice(-4000);
    } catch {
      return '';
    }
  }

  /** SIGTERM, wait for the exit, then make sure nothing of its group is left. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc?.pid) return;
    this.proc = null;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 15_000));
      if ((await Promise.race([this.exited, timeout])) === 'timeout') proc.kill('SIGKILL');
      await this.exited;
    }
    try {
      process.kill(-proc.pid, 'SIGKILL'); // stragglers of the group, if any
    } catch {
      /* none left: ESRCH */
    }
  }

  /** Kills the server and its CLI processes at once, as a crash would (no server_shutting_down). */
  async crash(): Promise<void> {
    const proc = this.proc;
    if (!proc?.pid) return;
    this.proc = null;
    try {
      process.kill(-proc.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
    await this.exited;
  }

  /** Stops this server and starts another on the same port and state. */
  async restart(): Promise<void> {
    await this.stop();
    await this.boot();
  }

  async api<T = unknown>(method: string, p: string): Promise<{ status: number; body: T }> {
    const res = await fetch(this.url + p, { method, headers: { 'X-API-Key': this.key } });
    return { status: res.status, body: (await res.json()) as T };
  }

  /** Ends every session still running (DELETE), so CLI processes do not pile up across tests. */
  async endAllSessions(): Promise<void> {
    if (!this.proc) return;
    const { body } = await this.api<{ sessions: { session_id: string; status: string }[] }>('GET', '/api/v1/sessions');
    for (const s of body.sessions) if (s.status !== 'terminated') await this.api('DELETE', `/api/v1/sessions/${s.session_id}`);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
