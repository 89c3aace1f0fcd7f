// Child processes of the bench: the scripted model and server instances.
// Everything started here is tracked and torn down (process trees included).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive, killTree, snapshot, treePids } from '../../src/core/cli/process-tree.js';
import { testEnv } from '../../test/helpers/harness.js';
import { freePort, waitUntilLive } from '../../test/helpers/server-process.js';
import { type Json, sleep } from './util.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const children = new Set<ChildProcess>();
/** Every pid we ever saw below one of our children (for the final sweep). */
const seen = new Map<number, string>();

export function tempDir(prefix = 'csp-bench-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function track(child: ChildProcess): void {
  children.add(child);
  child.on('exit', () => children.delete(child));
}

/** Remembers the descendants of our children (called by samplers), so a final sweep can find leftovers. */
export function rememberTree(pid: number, snap = snapshot()): void {
  for (const p of treePids(pid, snap)) {
    const info = snap.get(p);
    if (info) seen.set(p, info.startTime);
  }
}

export interface ModelProc {
  url: string;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

export async function startModel(): Promise<ModelProc> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/lib/model-server.ts')], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  track(child);
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout?.on('data', (d) => {
      buf += d;
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(buf.slice(0, i));
    });
    child.once('exit', (c) => reject(new Error(`model exited ${c}`)));
  });
  const { url } = JSON.parse(line) as { url: string };
  return {
    url,
    pid: child.pid as number,
    child,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}

/**
 * How the server runs. 'bundle' (default): src/main.ts bundled once by esbuild (tsx's own
 * dependency) into bench/.scratch/build and run by plain node, like `npm start` runs dist/
 * (no tsx loader in the measured process). 'tsx': node --import tsx src/main.ts, like the tests.
 */
export function serverMode(): 'bundle' | 'tsx' {
  return process.env.BENCH_SERVER === 'tsx' ? 'tsx' : 'bundle';
}

let bundled: string | null = null;
/**
 * BENCH_SERVER_SRC=<dir>: bundle <dir>/main.ts instead of src/main.ts, for before/after
 * comparisons of a proposed fix on a patched copy of src (e.g. bench/.scratch/variant/src).
 */
function bundle(): string {
  if (bundled) return bundled;
  const srcDir = process.env.BENCH_SERVER_SRC ? path.resolve(process.env.BENCH_SERVER_SRC) : path.join(ROOT, 'src');
  // Two folders below the root, like dist/api/*.js: the server finds ../../package.json from here too.
  const out = path.join(ROOT, 'bench/.scratch', `${srcDir === path.join(ROOT, 'src') ? 'main' : path.basename(path.dirname(srcDir))}.mjs`);
  execFileSync(
    path.join(ROOT, 'node_modules/.bin/esbuild'),
    [
      path.join(srcDir, 'main.ts'),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--packages=external',
      `--outfile=${out}`,
      '--log-level=warning',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
  bundled = out;
  return out;
}

export interface ServerProc {
  url: string;
  wsUrl: string;
  key: string;
  pid: number;
  dir: string;
  env: Record<string, string>;
  output(): string;
  api(method: string, p: string, body?: unknown): Promise<{ status: number; body: Json }>;
  /** With opts.inspect: a full GC in the server, then its process.memoryUsage() (MB). */
  heapAfterGc(): Promise<{ heap_used_mb: number; rss_mb: number; external_mb: number } | null>;
  /** Pids of the CLI process trees (direct children of the server). */
  cliPids(): number[];
  stop(): Promise<{ code: number | null; leftovers: number }>;
}

export async function startServer(
  modelUrl: string,
  overrides: Record<string, string> = {},
  opts: { inspect?: boolean } = {},
): Promise<ServerProc> {
  const dir = tempDir();
  const projectDir = path.join(dir, 'project');
  fs.mkdirSync(projectDir, { recursive: true });
  const key = 'bench-key-0123456789';
  const port = await freePort();
  const env: Record<string, string> = {
    ...testEnv(dir, modelUrl, key),
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    PORT: String(port),
    PROJECT_DIR: projectDir,
    PREWARM_POOL_SIZE: '1',
    MAX_SESSIONS: '60',
    SHUTDOWN_GRACE_SECONDS: '2',
    LOG_LEVEL: 'WARN',
    ...overrides,
  };
  // BENCH_SERVER_PROF=<dir>: the server writes a V8 CPU profile there when it exits (see bench/profile-summary.ts).
  const prof = process.env.BENCH_SERVER_PROF ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_SERVER_PROF)}`] : [];
  const entry = serverMode() === 'tsx' ? ['--import', 'tsx', path.join(ROOT, 'src/main.ts')] : [bundle()];
  // --inspect on loopback: the bench can force a full GC and read the heap (soak: leak or lazy GC?)
  const inspect = opts.inspect ? ['--inspect=127.0.0.1:0'] : [];
  const child = spawn(process.execPath, [...prof, ...inspect, ...entry], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  let out = '';
  const keep = (d: Buffer) => {
    out += d;
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilLive(url, child, () => out, 60_000);
  const pid = child.pid as number;
  const api = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(url + p, {
      method,
      headers: { 'X-API-Key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed as Json };
  };
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws/v1/chat`,
    key,
    pid,
    dir,
    env,
    output: () => out,
    api,
    async heapAfterGc() {
      const m = out.match(/Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/);
      if (!m) return null;
      return inspectorHeap(m[1] as string);
    },
    cliPids() {
      const snap = snapshot();
      rememberTree(pid, snap);
      return [...snap.values()].filter((p) => p.ppid === pid && p.cmd.includes('claude')).map((p) => p.pid);
    },
    async stop() {
      const snap = snapshot();
      const tree = treePids(pid, snap);
      rememberTree(pid, snap);
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await Promise.race([exited, sleep(30_000).then(() => 'timeout' as const)]);
      if (code === 'timeout') await killTree(pid);
      let leftovers = 0;
      for (const p of tree) {
        const st = snap.get(p)?.startTime;
        if (p !== pid && isAlive(p, st)) {
          leftovers++;
          await killTree(p);
        }
      }
      // A CLI started after the snapshot above (a monitor restart during shutdown) is found by its config dir.
      for (const p of pidsWithEnv(`CLAUDE_CONFIG_DIR=${env.CLAUDE_CONFIG_DIR}`)) {
        leftovers++;
        await killTree(p);
      }
      fs.rmSync(dir, { recursive: true, force: true });
      return { code: code === 'timeout' ? null : code, leftovers };
    },
  };
}

/** Processes whose environment holds `entry` (e.g. our CLAUDE_CONFIG_DIR). */
export function pidsWithEnv(entry: string): number[] {
  const out: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(entry)) out.push(Number(name));
    } catch {
      /* gone or not ours to read */
    }
  }
  return out;
}

/** Last resort at exit: every child and every process we saw below one. Returns how many were still alive. */
export async function killEverything(): Promise<number> {
  let alive = 0;
  for (const c of [...children]) {
    if (c.exitCode === null && c.pid) {
      alive++;
      await killTree(c.pid);
    }
  }
  for (const [p, st] of seen) {
    if (isAlive(p, st)) {
      alive++;
      await killTree(p);
    }
  }
  return alive;
}

/** Over the inspector protocol: HeapProfiler.collectGarbage, then process.memoryUsage(). */
async function inspectorHeap(url: string): Promise<{ heap_used_mb: number; rss_mb: number; external_mb: number } | null> {
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  let id = 0;
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<Json>((resolve) => {
      const my = ++id;
      const on = (d: Buffer) => {
        const msg = JSON.parse(d.toString()) as Json;
        if (msg.id !== my) return;
        ws.off('message', on);
        resolve(msg.result);
      };
      ws.on('message', on);
      ws.send(JSON.stringify({ id: my, method, params }));
    });
  try {
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const r = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
    const m = JSON.parse(r.result.value) as { heapUsed: number; rss: number; external: number };
    const mb = (x: number) => Math.round((x / 1048576) * 10) / 10;
    return { heap_used_mb: mb(m.heapUsed), rss_mb: mb(m.rss), external_mb: mb(m.external) };
  } catch {
    return null;
  } finally {
    ws.close();
  }
}
