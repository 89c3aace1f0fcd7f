// Small helpers shared by the bench sections: statistics, /proc readers, sleeps.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { snapshot, treePids } from '../../src/core/cli/process-tree.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const now = () => performance.now();

export function quantile(xs: number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (s[lo] as number) + ((s[hi] as number) - (s[lo] as number)) * (pos - lo);
}
export const median = (xs: number[]) => quantile(xs, 0.5);
export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
export const round = (x: number, d = 1) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

export interface Dist {
  n: number;
  min: number;
  p50: number;
  p95: number;
  max: number;
  mean: number;
}
export function dist(xs: number[], d = 1): Dist {
  return {
    n: xs.length,
    min: round(Math.min(...xs), d),
    p50: round(median(xs), d),
    p95: round(quantile(xs, 0.95), d),
    max: round(Math.max(...xs), d),
    mean: round(mean(xs), d),
  };
}

/** Least-squares slope of y over x (per unit of x), and r². */
export function linreg(xs: number[], ys: number[]): { slope: number; intercept: number; r2: number } {
  const n = xs.length;
  if (n < 2) return { slope: Number.NaN, intercept: Number.NaN, r2: Number.NaN };
  const mx = mean(xs);
  const my = mean(ys);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return { slope, intercept: my - slope * mx, r2: sxx === 0 || syy === 0 ? 0 : (sxy * sxy) / (sxx * syy) };
}

let clk = 0;
export function clockTicks(): number {
  if (!clk) {
    try {
      clk = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clk = 100;
    }
  }
  return clk;
}

/** CPU seconds of one process: own (utime+stime) and with reaped children (cutime+cstime). */
export function cpuOf(pid: number): { self: number; withChildren: number } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const t = clockTicks();
    const u = Number(f[11]);
    const s = Number(f[12]);
    const cu = Number(f[13]);
    const cs = Number(f[14]);
    return { self: (u + s) / t, withChildren: (u + s + cu + cs) / t };
  } catch {
    return undefined;
  }
}

/** CPU seconds of a whole tree (every live descendant, plus children they already reaped). */
export function treeCpu(pid: number, snap = snapshot()): number {
  let sum = 0;
  for (const p of treePids(pid, snap)) sum += cpuOf(p)?.withChildren ?? 0;
  return sum;
}

export function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = status.match(/VmRSS:\s+(\d+) kB/);
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export function machine(): Record<string, unknown> {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = cpuinfo.match(/model name\s*:\s*(.*)/)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  let nproc = os.cpus().length;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    /* os.cpus() then */
  }
  let claudeVersion = 'unknown';
  try {
    claudeVersion = JSON.parse(fs.readFileSync('node_modules/@anthropic-ai/claude-agent-sdk/package.json', 'utf8')).version;
  } catch {
    /* not found */
  }
  return {
    nproc,
    cpu_model: model,
    mem_total_gib: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    agent_sdk: claudeVersion,
    loadavg_at_start: os.loadavg().map((x) => round(x, 2)),
  };
}

/** Load from processes that are not ours (other work on a shared machine skews figures). */
export function loadavg(): number[] {
  return os.loadavg().map((x) => round(x, 2));
}

/** The bench's result document and REST bodies: untyped JSON read field by field. */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Json = any;

/** Read and write syscalls of a process so far (/proc/<pid>/io), e.g. socket writes per forwarded frame. */
export function syscallsOf(pid: number): { r: number; w: number } {
  try {
    const io = fs.readFileSync(`/proc/${pid}/io`, 'utf8');
    return { r: Number(io.match(/syscr: (\d+)/)?.[1] ?? 0), w: Number(io.match(/syscw: (\d+)/)?.[1] ?? 0) };
  } catch {
    return { r: Number.NaN, w: Number.NaN };
  }
}

/** n sequential calls of fn, each one's milliseconds. */
export async function timed(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    xs.push(performance.now() - t0);
  }
  return xs;
}
