// Pre-warm pool: CLI processes started ahead of demand with the
// SDK's startup(), each holding a pre-assigned session id, so creating a
// session takes a ready process instead of waiting for a cold start.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ClaudeProcess } from '../cli/claude-process.js';

/** Hands out already-started processes (the session life takes one for a new session). */
export interface WarmProcessSource {
  take(): ClaudeProcess | undefined;
  depth(): number;
}

export interface PoolDeps {
  size: number;
  log: Logger;
  /** Starts a CLI for a fresh session id (the process launcher). */
  start: (sessionId: string) => Promise<ClaudeProcess>;
  /** The extensions' current fingerprint; a warm process built on another one is stale. */
  fingerprint: () => string;
  /** Told how long each successful start took (feeds the cold-start estimate). */
  onStarted?: (ms: number) => void;
  /** Seconds between background checks for changed extensions (0: only on take). */
  watchSeconds?: number;
}

interface Warm {
  proc: ClaudeProcess;
  fingerprint: string;
}

const BACKOFF_START_MS = 1000;
const BACKOFF_MAX_MS = 60_000;

export class PreWarmPool implements WarmProcessSource {
  private readonly ready: Warm[] = [];
  private starting = 0;
  /** Bumped by invalidate(): starts begun before it are discarded when they finish. */
  private generation = 0;
  private failures = 0;
  private backoffTimer: NodeJS.Timeout | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Counters for /metrics and tests. */
  readonly stats = { started: 0, failed: 0, taken: 0, discarded: 0 };
  /** Stops of discarded processes still running. */
  private readonly stops = new Set<Promise<boolean>>();
  /** `filled`: a warm process joined the pool (with the new depth). */
  readonly events = new EventEmitter<{ filled: [number] }>();

  constructor(private readonly d: PoolDeps) {}

  depth(): number {
    return this.ready.length;
  }

  /** The stops of discarded (stale) processes still under way: resolved once each tree is gone. */
  stopping(): Promise<boolean>[] {
    return [...this.stops];
  }

  /** Pids of the parked processes (tests and the monitor's orphan check). */
  pids(): number[] {
    return this.ready.map((w) => w.proc.pid).filter((p): p is number => p !== null);
  }

  /**
   * Fills the pool and resolves true as soon as one warm process exists, or
   * false when every first attempt failed (the server then exits 1: it cannot serve anyone).
   */
  startupFill(): Promise<boolean> {
    if (this.d.size === 0) return Promise.resolve(true);
    const attempts = Array.from({ length: this.d.size }, () => this.startOne());
    this.startWatch();
    return new Promise((resolve) => {
      let pending = attempts.length;
      for (const a of attempts)
        void a.then(() => {
          if (this.ready.length > 0) resolve(true);
          else if (--pending === 0) resolve(this.ready.length > 0);
        });
    });
  }

  /** A warm process built on the current extensions, or undefined (the caller cold-starts). */
  take(): ClaudeProcess | undefined {
    const fp = this.d.fingerprint();
    if (this.ready.some((w) => w.fingerprint !== fp)) this.invalidate('extensions changed');
    let w: Warm | undefined;
    while ((w = this.ready.shift())) {
      if (w.proc.state === 'ready') break;
      this.stats.discarded++;
    }
    // Hand the process out first; the refill's synchronous start-up work (spawn, SDK
    // set-up: 15-20 ms) runs on the next loop turn (benchmarks F1: pool hit 22 -> 2 ms).
    setImmediate(() => this.replenish());
    if (w?.proc.state !== 'ready') return undefined;
    this.stats.taken++;
    return w.proc;
  }

  /** Starts processes until ready + starting reaches the target. */
  replenish(): void {
    if (this.closed || this.backoffTimer) return;
    // One start at a time after start-up: a refill must not steal both cores from live turns.
    if (this.starting > 0) return;
    if (this.ready.length + this.starting < this.d.size) void this.startOne();
  }

  /** Drains the pool: warm processes built on old config are closed, never handed out. */
  invalidate(reason = 'invalidated'): void {
    this.generation++;
    const old = this.ready.splice(0);
    if (old.length) this.d.log.info({ reason, closed: old.length }, 'pre-warm pool invalidated');
    for (const w of old) {
      this.stats.discarded++;
      const stop = w.proc.stop();
      this.stops.add(stop);
      void stop.finally(() => this.stops.delete(stop));
    }
    this.replenish();
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    if (this.backoffTimer) clearTimeout(this.backoffTimer);
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.generation++;
    const old = this.ready.splice(0);
    await Promise.all([...old.map((w) => w.proc.stop()), ...this.inFlight]);
  }

  private startWatch(): void {
    const s = this.d.watchSeconds ?? 5;
    if (s <= 0) return;
    this.watchTimer = setInterval(() => {
      const fp = this.d.fingerprint();
      if (this.ready.some((w) => w.fingerprint !== fp)) this.invalidate('extensions changed');
    }, s * 1000);
    this.watchTimer.unref();
  }

  private startOne(): Promise<void> {
    const gen = this.generation;
    const fingerprint = this.d.fingerprint();
    this.starting++;
    const t0 = Date.now();
    const p = this.d
      .start(randomUUID())
      .then(
        (proc) => {
          this.failures = 0;
          this.stats.started++;
          this.d.onStarted?.(Date.now() - t0);
          if (this.closed || gen !== this.generation) {
            this.stats.discarded++;
            void proc.stop();
            return;
          }
          const warm = { proc, fingerprint };
          this.ready.push(warm);
          this.events.emit('filled', this.ready.length);
          // A pooled process that dies while parked leaves the pool.
          void proc.whenDead().then(() => {
            const i = this.ready.indexOf(warm);
            if (i < 0) return;
            this.ready.splice(i, 1);
            this.d.log.warn({ pid: proc.pid, reason: proc.deadReason }, 'pooled process died');
            this.replenish();
          });
        },
        (e: unknown) => {
          this.failures++;
          this.stats.failed++;
          const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** (this.failures - 1));
          this.d.log.error({ err: (e as Error).message, retry_in_ms: delay }, 'pre-warm failed');
          if (!this.closed) {
            this.backoffTimer = setTimeout(() => {
              this.backoffTimer = null;
              this.replenish();
            }, delay);
            this.backoffTimer.unref();
          }
        },
      )
      .finally(() => {
        this.starting--;
        this.inFlight.delete(p);
        this.replenish();
      });
    this.inFlight.add(p);
    return p;
  }
}
