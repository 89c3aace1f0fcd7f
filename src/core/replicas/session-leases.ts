// This replica's leases on its sessions (issue 21 item 4). A session gets a process on this replica
// only while the replica holds its lease; the lease is renewed for all of them in one statement every
// third of its time, and a lease that was not kept (taken by another replica after this one was
// paused, or this replica cut off from the database for longer than a lease) is reported lost at
// once, so the session's CLI stops. On one host (SQLite) the leases are trivially always held.
import type { Logger } from 'pino';
import type { FenceProvider, LeaseRepository } from '../../db/leases.js';

export type Acquired =
  /** `fresh`: this replica did not hold it a moment ago (another may have written the session since). */
  | { held: true; epoch: number; fresh: boolean }
  /** Another replica holds a live lease on it. */
  | { held: false; holder: string };

export interface SessionLeases {
  /** This replica (REPLICA_ID). */
  readonly replicaId: string;
  /** Whether several replicas share the database (PostgreSQL): leases, handovers and fencing matter. */
  readonly shared: boolean;
  /** The fence of this replica's writes (undefined on one host: nothing to fence). */
  readonly fence: FenceProvider | undefined;
  acquire(sessionId: string): Promise<Acquired>;
  /** Lets the lease go (the session's process is gone). */
  release(sessionId: string): Promise<void>;
  holds(sessionId: string): boolean;
  /** Of these sessions, those another replica held last (its own recovery is not this replica's business). */
  othersOf(sessionIds: string[]): Promise<Set<string>>;
  /** Starts renewing; `lost` is told the sessions whose lease was not kept. */
  start(lost: (sessionIds: string[]) => void): void;
  /** Stops renewing and lets every lease go. */
  close(): Promise<void>;
}

/** One host: every lease is this replica's. */
export function oneHostLeases(replicaId: string): SessionLeases {
  return {
    replicaId,
    shared: false,
    fence: undefined,
    acquire: async () => ({ held: true, epoch: 1, fresh: false }),
    release: async () => {},
    holds: () => true,
    othersOf: async () => new Set(),
    start: () => {},
    close: async () => {},
  };
}

export interface SharedLeaseOptions {
  repo: LeaseRepository;
  replicaId: string;
  ttlSeconds: number;
  log: Logger;
  /** Told after a lease was let go (other replicas waiting for it try at once). */
  released?: (sessionId: string) => void;
}

/** Leases in a database shared by the replicas. */
export class SharedLeases implements SessionLeases {
  readonly shared = true;
  readonly replicaId: string;
  /** Epoch of each lease this replica holds. */
  private readonly held = new Map<string, number>();
  /** The last epoch this replica held of each session (a lease taken again at the next epoch was nobody else's meanwhile). */
  private readonly last = new Map<string, number>();
  /** One lease operation at a time per session, in call order. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private renewing = false;
  /** When the last renewal that succeeded was sent (monotonic ms). */
  private lastRenewSent = performance.now();
  private closed = false;

  constructor(private readonly o: SharedLeaseOptions) {
    this.replicaId = o.replicaId;
  }

  readonly fence: FenceProvider = (sessionId) => ({ owner: this.replicaId, epoch: this.held.get(sessionId) ?? null });

  holds(sessionId: string): boolean {
    return this.held.has(sessionId);
  }

  othersOf(sessionIds: string[]): Promise<Set<string>> {
    return this.o.repo.othersOf(this.replicaId, sessionIds);
  }

  acquire(sessionId: string): Promise<Acquired> {
    return this.serial(sessionId, async () => {
      if (this.closed) throw new Error('leases closed');
      const before = this.last.get(sessionId);
      const row = await this.o.repo.acquire(sessionId, this.replicaId, this.o.ttlSeconds);
      if (!row) {
        this.held.delete(sessionId);
        const now = await this.o.repo.get(sessionId);
        return { held: false, holder: now?.owner ?? 'another replica' };
      }
      this.held.set(sessionId, row.epoch);
      this.last.set(sessionId, row.epoch);
      return { held: true, epoch: row.epoch, fresh: before === undefined || row.epoch > before + 1 };
    });
  }

  release(sessionId: string): Promise<void> {
    return this.serial(sessionId, async () => {
      const epoch = this.held.get(sessionId);
      if (epoch === undefined) return;
      // Forgotten first: a write meanwhile goes through only while no other replica holds it.
      this.held.delete(sessionId);
      if (await this.o.repo.release(sessionId, this.replicaId, epoch)) this.o.released?.(sessionId);
    });
  }

  start(lost: (sessionIds: string[]) => void): void {
    const every = Math.max(200, (this.o.ttlSeconds * 1000) / 3);
    this.lastRenewSent = performance.now();
    this.timer = setInterval(() => void this.renew(lost), every);
    this.timer.unref();
  }

  /** One statement for every lease held; those not kept are lost. */
  private async renew(lost: (sessionIds: string[]) => void): Promise<void> {
    if (this.renewing || this.closed) return;
    this.renewing = true;
    const asked = new Map(this.held);
    const sent = performance.now();
    try {
      const kept = await this.o.repo.renew(this.replicaId, [...asked.keys()], this.o.ttlSeconds);
      this.lastRenewSent = sent;
      const keptIds = new Set(kept.filter((r) => asked.get(r.session_id) === r.epoch).map((r) => r.session_id));
      this.drop(
        [...asked].filter(([id, epoch]) => !keptIds.has(id) && this.held.get(id) === epoch).map(([id]) => id),
        lost,
      );
    } catch (err) {
      // Unreachable for longer than a lease: the database has let them all go by now.
      const silentMs = performance.now() - this.lastRenewSent;
      this.o.log.warn({ err, silent_ms: Math.round(silentMs) }, 'lease renewal failed');
      if (silentMs > this.o.ttlSeconds * 1000)
        this.drop(
          [...asked].filter(([id, epoch]) => this.held.get(id) === epoch).map(([id]) => id),
          lost,
        );
    } finally {
      this.renewing = false;
    }
  }

  private drop(ids: string[], lost: (sessionIds: string[]) => void): void {
    if (ids.length === 0) return;
    for (const id of ids) this.held.delete(id);
    this.o.log.warn({ sessions: ids }, 'session leases lost: their processes stop here');
    lost(ids);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.held.keys()].map((id) => this.release(id).catch(() => {})));
    this.closed = true;
  }

  private serial<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(sessionId) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => {});
    this.queues.set(sessionId, tail);
    void tail.then(() => {
      if (this.queues.get(sessionId) === tail) this.queues.delete(sessionId);
    });
    return next;
  }
}
