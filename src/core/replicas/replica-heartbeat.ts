// Each replica writes its figures to a row of its own every third of SESSION_LEASE_SECONDS (the
// time stamped by the database's clock, so replicas' clocks never disagree), and reads everyone's
// back: the replicas view (admin route) and /metrics show the whole deployment from any replica.
// A clean stop deletes the row; a crashed or cut-off replica's row goes stale after one lease
// and is deleted by the others after an hour (REPLICA_ID changes with every new pod).
import type { Logger } from 'pino';
import type { ReplicaRepository } from '../../db/ports.js';
import type { ReplicaRow } from '../../protocol/replicas.js';
import type { ReplicaStatus } from './replica-status.js';

/** Rows unseen for this long are deleted (at least ten leases). */
const PRUNE_AFTER_SECONDS = 3600;

export interface HeartbeatDeps {
  repo: ReplicaRepository;
  status: () => ReplicaStatus;
  leaseSeconds: number;
  log: Logger;
}

export class ReplicaHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private rows: ReplicaRow[] = [];
  private stopped = false;

  constructor(private readonly d: HeartbeatDeps) {}

  /** Reports at once, then every third of a lease. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => void this.beat(), Math.max(100, (this.d.leaseSeconds * 1000) / 3));
    this.timer.unref();
  }

  /** Writes this replica's row and reads every row back (one at a time; a failure is logged, not thrown). */
  beat(): Promise<void> {
    this.beating ??= this.writeAndRead().finally(() => {
      this.beating = undefined;
    });
    return this.beating;
  }

  /** Every replica's row as of now (reads the database). */
  async list(): Promise<ReplicaRow[]> {
    await this.beat();
    return this.rows;
  }

  /** The rows of the last report, for /metrics (a scrape never waits on the database). */
  get lastRows(): ReplicaRow[] {
    return this.rows;
  }

  /** Stops reporting and deletes this replica's row: it is gone, not stale. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.beating;
    await this.d.repo.remove(this.d.status().replica_id).catch((e: unknown) => this.d.log.warn({ err: e }, 'replica row not removed'));
  }

  private async writeAndRead(): Promise<void> {
    if (this.stopped) return;
    try {
      const lease = this.d.leaseSeconds;
      await this.d.repo.heartbeat(this.d.status(), Math.max(PRUNE_AFTER_SECONDS, 10 * lease));
      this.rows = (await this.d.repo.list()).map((r) => ({ ...r, stale: r.seen_seconds_ago > lease }));
    } catch (e) {
      this.d.log.warn({ err: e }, 'replica heartbeat failed');
    }
  }
}
