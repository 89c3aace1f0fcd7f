// Process-table helpers: trees, RSS, liveness, tree kill. Linux reads /proc;
// elsewhere (macOS, for development) one `ps` call serves a whole sweep.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  /** 'Z' zombie, 'R' running, … ('?' when unknown) */
  state: string;
  rssBytes: number;
  /** Kernel start time (clock ticks since boot); with pid it names a process uniquely. */
  startTime: string;
  /** Executable name (Linux: comm from /proc/<pid>/stat; elsewhere the command), for recognising CLI processes. */
  cmd: string;
}

const HAS_PROC = fs.existsSync('/proc/self/stat');
const PAGE = 4096;

function parseStat(pid: number, stat: string): ProcInfo {
  // comm may hold spaces and parens: fields start after the last ')'
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  const f = stat.slice(close + 2).split(' ');
  // f[0]=state f[1]=ppid … f[19]=starttime f[21]=rss(pages)
  return {
    pid,
    ppid: Number(f[1]),
    state: f[0] ?? '?',
    rssBytes: Number(f[21] ?? 0) * PAGE,
    startTime: f[19] ?? '0',
    // the executable name from stat: one read per process per sweep (cmdline only when logging)
    cmd: stat.slice(open + 1, close),
  };
}

function readProc(pid: number): ProcInfo | undefined {
  try {
    return parseStat(pid, fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The command line of a process (for logs), or '' when it is gone. */
export function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
  } catch {
    return procInfo(pid)?.cmd ?? '';
  }
}

const pidsInProc = (names: string[]) => names.filter((n) => n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57).map(Number);

/**
 * The same snapshot read without blocking: /proc files are read on libuv's thread
 * pool in batches, so a sweep over hundreds of processes never stalls the streams
 * (under CPU saturation a synchronous scan of 50 sessions blocked 30-40 ms).
 */
export async function snapshotAsync(): Promise<Map<number, ProcInfo>> {
  if (!HAS_PROC) return snapshot();
  const out = new Map<number, ProcInfo>();
  const pids = pidsInProc(await fs.promises.readdir('/proc'));
  const BATCH = 64;
  for (let i = 0; i < pids.length; i += BATCH) {
    const stats = await Promise.all(
      pids.slice(i, i + BATCH).map((pid) =>
        fs.promises.readFile(`/proc/${pid}/stat`, 'utf8').then(
          (t) => parseStat(pid, t),
          () => undefined,
        ),
      ),
    );
    for (const p of stats) if (p) out.set(p.pid, p);
  }
  return out;
}

/** A snapshot of every process, read once and shared by a whole monitor sweep. */
export function snapshot(): Map<number, ProcInfo> {
  const out = new Map<number, ProcInfo>();
  if (HAS_PROC) {
    for (const pid of pidsInProc(fs.readdirSync('/proc'))) {
      const p = readProc(pid);
      if (p) out.set(p.pid, p);
    }
    return out;
  }
  const text = execFileSync('ps', ['-A', '-o', 'pid=,ppid=,state=,rss=,lstart=,command='], { encoding: 'utf8' });
  for (const line of text.split('\n')) {
    const m = line.trim().match(/^(\d+)\s+(\d+)\s+(\S+)\s+(\d+)\s+(\w+\s+\w+\s+\d+\s+[\d:]+\s+\d+)\s+(.*)$/);
    if (!m) continue;
    const pid = Number(m[1]);
    out.set(pid, {
      pid,
      ppid: Number(m[2]),
      state: (m[3] ?? '?')[0] ?? '?',
      rssBytes: Number(m[4]) * 1024,
      startTime: m[5] ?? '',
      cmd: m[6] ?? '',
    });
  }
  return out;
}

export function procInfo(pid: number): ProcInfo | undefined {
  return HAS_PROC ? readProc(pid) : snapshot().get(pid);
}

const childIndex = new WeakMap<Map<number, ProcInfo>, Map<number, number[]>>();

/** ppid -> children, built once per snapshot (a sweep asks for many trees). */
function childrenOf(snap: Map<number, ProcInfo>): Map<number, number[]> {
  let idx = childIndex.get(snap);
  if (idx) return idx;
  idx = new Map();
  for (const p of snap.values()) {
    const list = idx.get(p.ppid);
    if (list) list.push(p.pid);
    else idx.set(p.ppid, [p.pid]);
  }
  childIndex.set(snap, idx);
  return idx;
}

/** The pid and all its descendants, parents first. */
export function treePids(pid: number, snap: Map<number, ProcInfo> = snapshot()): number[] {
  const children = childrenOf(snap);
  const out: number[] = [];
  const stack = snap.has(pid) ? [pid] : [];
  while (stack.length) {
    const p = stack.pop() as number;
    out.push(p);
    for (const c of children.get(p) ?? []) stack.push(c);
  }
  return out;
}

/** Resident memory of a process and all its descendants, in bytes. */
export function treeRss(pid: number, snap: Map<number, ProcInfo> = snapshot()): number {
  let sum = 0;
  for (const p of treePids(pid, snap)) sum += snap.get(p)?.rssBytes ?? 0;
  return sum;
}

/** True while the pid runs (a zombie awaiting its reaper counts as gone). */
export function isAlive(pid: number, startTime?: string): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  const info = procInfo(pid);
  if (!info) return !HAS_PROC;
  if (startTime && info.startTime !== startTime) return false; // pid reused by another process
  return info.state !== 'Z';
}

/**
 * Signals a whole tree: its process group (we spawn CLIs as group leaders) and
 * every descendant found in the table (a child that called setsid has left the group).
 */
export function signalTree(pid: number, signal: NodeJS.Signals): number[] {
  const pids = treePids(pid);
  try {
    process.kill(-pid, signal);
  } catch {
    /* not a group leader, or already gone */
  }
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch {
      /* already gone */
    }
  }
  return pids;
}

/** Waits until none of the pids is alive, polling; resolves false on timeout. */
export async function waitGone(pids: number[], timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    if (pids.every((p) => !isAlive(p))) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/**
 * Ends a process tree for certain: SIGTERM, wait, SIGKILL, wait; returns true
 * when every process of the tree is verified gone.
 */
export async function killTree(pid: number, termGraceMs = 1500): Promise<boolean> {
  const pids = signalTree(pid, 'SIGTERM');
  if (pids.length === 0) return true;
  if (await waitGone(pids, termGraceMs)) return true;
  const again = [...new Set([...pids, ...treePids(pid)])];
  for (const p of again) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* gone */
  }
  return waitGone(again, 3000);
}
