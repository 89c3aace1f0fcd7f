// Subprocess monitor: every MONITOR_INTERVAL_SECONDS it checks each live
// session's process tree for memory, duration and idleness, and sweeps for CLI
// processes that no session owns. checkAll() decides from read-only views and a
// process snapshot; apply() acts, only through the session manager. Every action
// is logged with its figures and counted.
import fs from 'node:fs';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { Metrics } from '../accounting/metrics.js';
import { INSTANCE_ENV, instanceId } from '../cli/cli-options.js';
import { commandLine, killTree, type ProcInfo, snapshot, snapshotAsync, treePids, treeRss } from '../cli/process-tree.js';
import type { SessionManager } from './session-manager.js';

export type MonitorAction =
  | { type: 'warn_duration'; session_id: string; remaining_seconds: number }
  | { type: 'terminate_duration'; session_id: string }
  | { type: 'terminate_idle'; session_id: string; idle_seconds: number }
  | { type: 'restart_memory'; session_id: string; pid: number; rss_mb: number }
  | { type: 'force_kill_memory'; session_id: string; pid: number; rss_mb: number }
  | { type: 'cleanup_orphan'; pid: number; cmd: string };

const MB = 1048576;

/** "24 minutes", "4 hours", "45 seconds": for user-facing messages. */
export function humanDuration(seconds: number): string {
  const unit = (n: number, u: string) => `${n} ${u}${n === 1 ? '' : 's'}`;
  if (seconds >= 3600 && seconds % 3600 === 0) return unit(seconds / 3600, 'hour');
  if (seconds >= 60) return unit(Math.round(seconds / 60), 'minute');
  return unit(Math.max(0, Math.round(seconds)), 'second');
}

export function durationLimitText(limitSeconds: number): string {
  const h = limitSeconds % 3600 === 0 ? `${limitSeconds / 3600}-hour` : `${humanDuration(limitSeconds)}`;
  return `Session ended (${h} limit reached).`;
}

export class SubprocessMonitor {
  private timer: NodeJS.Timeout | null = null;
  /** The sweep in progress (reads and actions), if any. */
  private current: Promise<MonitorAction[]> | null = null;
  private warnedLowLimit = false;
  private readonly instance: string;
  /** Event-loop time of recent sweeps' decisions (ms), for benchmarks and the closing note. */
  readonly sweepMs: number[] = [];
  /** Wall time of recent sweeps' asynchronous /proc reads (ms; the loop is free meanwhile). */
  readonly readMs: number[] = [];

  constructor(
    private readonly config: Config,
    private readonly manager: Pick<SessionManager, 'liveSessions' | 'ownedPids' | 'destroyById' | 'warnDuration' | 'restartForMemory'>,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    /** Pids of processes we own that are not sessions (the pool's). */
    private readonly extraOwned: () => number[] = () => [],
  ) {
    this.instance = instanceId(config);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.config.monitorIntervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Decides what to do; touches nothing. */
  checkAll(now = Date.now(), snap: Map<number, ProcInfo> = snapshot()): MonitorAction[] {
    const c = this.config;
    const out: MonitorAction[] = [];
    const limitMs = c.maxSessionDurationSeconds * 1000;
    const limitBytes = c.maxSessionRssMb * MB;
    let totalRss = 0;
    this.metrics.sessionRss.reset(); // ended sessions drop out
    for (const s of this.manager.liveSessions()) {
      const pid = s.pid;
      const elapsed = now - s.runStartedAt;
      if (elapsed >= limitMs) {
        // A sweep that came late (a busy host) still warns before it ends the session.
        if (!s.warnedDuration) out.push({ type: 'warn_duration', session_id: s.id, remaining_seconds: 0 });
        out.push({ type: 'terminate_duration', session_id: s.id });
        continue;
      }
      if (elapsed >= 0.9 * limitMs && !s.warnedDuration)
        out.push({ type: 'warn_duration', session_id: s.id, remaining_seconds: Math.ceil((limitMs - elapsed) / 1000) });
      const idle = now - s.lastUserMessageAt;
      if (!s.turnInFlight && idle >= c.sessionIdleTimeoutSeconds * 1000) {
        out.push({ type: 'terminate_idle', session_id: s.id, idle_seconds: Math.round(idle / 1000) });
        continue;
      }
      const rss = treeRss(pid, snap);
      totalRss += rss;
      this.metrics.sessionRss.set({ session_id: s.id }, rss);
      if (now < s.memoryGraceUntil) {
        if (rss > limitBytes && !this.warnedLowLimit) {
          this.warnedLowLimit = true;
          this.log.warn(
            { session_id: s.id, pid, rss_mb: Math.round(rss / MB), limit_mb: c.maxSessionRssMb },
            `configuration: MAX_SESSION_RSS_MB=${c.maxSessionRssMb} is below a fresh Claude process's own memory (${Math.round(rss / MB)} MB); sessions will restart every ${c.memoryRestartGraceSeconds} s`,
          );
        }
        continue;
      }
      if (rss > 2 * limitBytes) out.push({ type: 'force_kill_memory', session_id: s.id, pid, rss_mb: Math.round(rss / MB) });
      else if (rss > limitBytes) out.push({ type: 'restart_memory', session_id: s.id, pid, rss_mb: Math.round(rss / MB) });
    }
    this.metrics.sessionsRss.set(totalRss);
    out.push(...this.findOrphans(snap));
    return out;
  }

  /** CLI processes (and their children) marked as ours that no session or pool owns. */
  private findOrphans(snap: Map<number, ProcInfo>): MonitorAction[] {
    const owned = new Set<number>();
    for (const pid of [...this.manager.ownedPids(), ...this.extraOwned()]) for (const p of treePids(pid, snap)) owned.add(p);
    const out: MonitorAction[] = [];
    for (const p of snap.values()) {
      if (owned.has(p.pid) || p.pid === process.pid || p.state === 'Z') continue;
      // Only an orphan (re-parented) or a CLI-looking process can be ours and unowned.
      if (p.ppid !== 1 && p.ppid !== process.pid && !/claude/i.test(p.cmd)) continue;
      if (this.markedOurs(p.pid)) out.push({ type: 'cleanup_orphan', pid: p.pid, cmd: commandLine(p.pid).slice(0, 160) });
    }
    // Kill a tree once, from its topmost orphan.
    const orphanPids = new Set(out.map((a) => (a as { pid: number }).pid));
    return out.filter((a) => !orphanPids.has(snap.get((a as { pid: number }).pid)?.ppid ?? -1));
  }

  private markedOurs(pid: number): boolean {
    try {
      return fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${INSTANCE_ENV}=${this.instance}`);
    } catch {
      return false;
    }
  }

  /** Timer tick: skipped while a sweep (with its actions) is still running. */
  private tick(): void {
    if (!this.current) void this.sweep();
  }

  /** One full sweep: read, decide, act. A call while one runs waits for it, then sweeps afresh. */
  sweep(): Promise<MonitorAction[]> {
    const next = (this.current ?? Promise.resolve([])).then(() => this.runSweep());
    this.current = next;
    void next.finally(() => {
      if (this.current === next) this.current = null;
    });
    return next;
  }

  private async runSweep(): Promise<MonitorAction[]> {
    try {
      const tRead = performance.now();
      const snap = await snapshotAsync();
      this.readMs.push(performance.now() - tRead);
      if (this.readMs.length > 100) this.readMs.shift();
      // Only the decision runs on the event loop: this is the time a sweep blocks it.
      const t0 = performance.now();
      const actions = this.checkAll(Date.now(), snap);
      const ms = performance.now() - t0;
      this.sweepMs.push(ms);
      if (this.sweepMs.length > 100) this.sweepMs.shift();
      this.metrics.sweepSeconds.observe(ms / 1000);
      for (const a of actions) await this.apply(a);
      return actions;
    } catch (e) {
      this.log.error({ err: e }, 'monitor sweep failed');
      return [];
    }
  }

  async apply(a: MonitorAction): Promise<void> {
    this.metrics.monitorActions.inc({ action: a.type });
    const c = this.config;
    switch (a.type) {
      case 'warn_duration':
        this.log.info({ session_id: a.session_id, remaining_seconds: a.remaining_seconds }, 'monitor: duration warning');
        this.manager.warnDuration(
          a.session_id,
          a.remaining_seconds,
          `Session will end in ${humanDuration(a.remaining_seconds)}. Save your work.`,
        );
        return;
      case 'terminate_duration':
        this.log.warn({ session_id: a.session_id, limit_seconds: c.maxSessionDurationSeconds }, 'monitor: duration limit reached');
        await this.manager.destroyById(a.session_id, 'duration_limit', durationLimitText(c.maxSessionDurationSeconds));
        return;
      case 'terminate_idle':
        this.log.info({ session_id: a.session_id, idle_seconds: a.idle_seconds }, 'monitor: idle timeout');
        await this.manager.destroyById(
          a.session_id,
          'idle_timeout',
          `Session ended after ${humanDuration(c.sessionIdleTimeoutSeconds)} without a message. Resume it to continue.`,
        );
        return;
      case 'restart_memory':
      case 'force_kill_memory': {
        const force = a.type === 'force_kill_memory';
        this.log.warn(
          { session_id: a.session_id, pid: a.pid, rss_mb: a.rss_mb, limit_mb: c.maxSessionRssMb },
          `monitor: memory limit${force ? ' (2x: killing now)' : ''}`,
        );
        await this.manager.restartForMemory(a.session_id, a.rss_mb, force);
        return;
      }
      case 'cleanup_orphan':
        this.log.warn({ pid: a.pid, cmd: a.cmd }, 'monitor: ending orphaned process');
        await killTree(a.pid);
        return;
    }
  }
}
