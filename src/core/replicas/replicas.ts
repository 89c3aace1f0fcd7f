// Several replicas on one PostgreSQL (issue 21 items 4 and 5): a session gets a process on this
// replica only while this replica holds its lease (session-leases.ts). A message for a session held
// by another live replica asks that one to hand it over at the end of its turn (it lets the process
// go and releases the lease), then takes the lease with the next epoch and resumes the conversation
// from the shared transcript store; after the holder died, the lease expires and the next message
// takes it. A lease lost (this replica paused or cut off) stops the session's process at once and
// writes nothing. Summaries reach the owner's sockets on every replica (replica-bus.ts).
// One host (SQLite): every hook is a no-op.
import type { Logger } from 'pino';
import type { SessionMetadata } from '../../db/ports.js';
import { PlatformError } from '../../protocol/errors.js';
import type { SessionSummary } from '../../protocol/messages.js';
import type { ClaudeProcess } from '../cli/claude-process.js';
import type { SessionEventSource } from '../sessions/lifecycle-events.js';
import type { Session } from '../sessions/session.js';
import type { ReplicaBus, ReplicaMessage } from './replica-bus.js';
import type { SessionLeases } from './session-leases.js';

/** What the session life calls (one line each: create, resume, a process gone). */
export interface ReplicaHooks {
  /** Before a process starts here for a session: this replica holds its lease (taken over when another held it). */
  claim(s: Session): Promise<void> | undefined;
  /** A new session's lease, once its id is known. */
  claimNew(sessionId: string): Promise<void> | undefined;
  /** The session's process has ended (or is ending): once it is gone, the lease goes. */
  processEnded(s: Session, proc: ClaudeProcess): void;
  /** Of the sessions stored open, those this replica left open (another replica's are alive, or theirs to recover). */
  leftHere<T extends { session_id: string }>(open: T[]): Promise<T[]>;
}

/** What the coordinator needs of the session manager. */
export interface ManagedSessions {
  registry: { peek(id: string): Session | undefined };
  events: SessionEventSource;
  /** The stored row (another replica may have changed it). */
  load(sessionId: string): Promise<SessionMetadata | undefined> | SessionMetadata | undefined;
}

export interface ReplicaOptions {
  leases: SessionLeases;
  /** Absent on one host. */
  bus?: ReplicaBus | undefined;
  log: Logger;
  /** How long a message waits for the holder's turn to end before it is refused. */
  handoverWaitMs: number;
}

/** How often a replica waiting for a lease tries again (besides when it hears the lease was let go). */
const POLL_MS = 250;
/** A handover request is repeated this often while the holder is alive (a notification may be lost). */
const ASK_AGAIN_MS = 3000;

export class Replicas implements ReplicaHooks {
  private sessions: ManagedSessions | null = null;
  /** Wakes the claims waiting for a session's lease. */
  private readonly waiting = new Map<string, Set<() => void>>();
  /** Handovers under way here (one per session). */
  private readonly handing = new Set<string>();
  /** Where summaries of other replicas' sessions go (this replica's sockets). */
  private toSockets: { updated(s: SessionSummary): void; relistened(): void } | null = null;

  constructor(private readonly o: ReplicaOptions) {}

  get leases(): SessionLeases {
    return this.o.leases;
  }

  /** Starts renewing and listening; the sessions are the manager's. */
  async attach(sessions: ManagedSessions): Promise<void> {
    this.sessions = sessions;
    if (!this.o.leases.shared) return;
    const bus = this.o.bus;
    if (bus) {
      sessions.events.on('updated', (session) => bus.send({ t: 'updated', by: bus.replicaId, session }, this.o.leases.fence));
      await bus.start({ message: (m) => this.heard(m), relistened: () => this.toSockets?.relistened() });
    }
    this.o.leases.start((ids) => {
      for (const id of ids) this.lost(id);
    });
  }

  /** Where summaries changed on other replicas go, and what to do when notifications may have been missed. */
  deliverTo(sockets: { updated(s: SessionSummary): void; relistened(): void }): void {
    this.toSockets = sockets;
  }

  claimNew(sessionId: string): Promise<void> | undefined {
    if (!this.o.leases.shared) return undefined;
    return this.o.leases.acquire(sessionId).then(
      (r) => {
        if (!r.held) this.o.log.error({ session_id: sessionId, holder: r.holder }, 'a new session id is leased elsewhere');
      },
      (err: unknown) => this.o.log.error({ err, session_id: sessionId }, 'could not lease a new session'),
    );
  }

  async leftHere<T extends { session_id: string }>(open: T[]): Promise<T[]> {
    const others = await this.o.leases.othersOf(open.map((m) => m.session_id));
    return open.filter((m) => !others.has(m.session_id));
  }

  claim(s: Session): Promise<void> | undefined {
    if (!this.o.leases.shared) return undefined;
    return this.takeOver(s);
  }

  private async takeOver(s: Session): Promise<void> {
    const start = Date.now();
    let askedAt = 0;
    for (;;) {
      const r = await this.o.leases.acquire(s.id);
      if (r.held) {
        if (r.fresh) {
          const stored = await this.sessions?.load(s.id);
          if (stored) s.adopt(stored);
        }
        if (askedAt) this.o.log.info({ session_id: s.id, waited_ms: Date.now() - start }, 'session taken over from another replica');
        return;
      }
      const now = Date.now();
      if (now - start > this.o.handoverWaitMs) throw new PlatformError('query_in_progress');
      if (now - askedAt > ASK_AGAIN_MS) {
        askedAt = now;
        this.o.bus?.send({ t: 'handover', by: this.o.leases.replicaId, session_id: s.id });
      }
      await this.released(s.id, POLL_MS);
    }
  }

  /** Resolves when the session's lease is heard let go, or after `ms`. */
  private released(id: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const set = this.waiting.get(id) ?? new Set();
      this.waiting.set(id, set);
      const done = () => {
        clearTimeout(t);
        set.delete(done);
        if (set.size === 0 && this.waiting.get(id) === set) this.waiting.delete(id);
        resolve();
      };
      const t = setTimeout(done, ms);
      set.add(done);
    });
  }

  processEnded(s: Session, proc: ClaudeProcess): void {
    if (!this.o.leases.shared || !this.o.leases.holds(s.id)) return;
    // Only once the CLI is gone (it may still be writing the transcript); not when a new process is starting.
    void proc
      .stop()
      .catch(() => {})
      .then(() => {
        if (s.hasLiveProcess || s.awaitsProcess) return;
        return this.o.leases.release(s.id).then(() => this.o.bus?.send({ t: 'released', by: this.o.leases.replicaId, session_id: s.id }));
      })
      .catch((err: unknown) => this.o.log.warn({ err, session_id: s.id }, 'could not release a session lease'));
  }

  private heard(m: ReplicaMessage): void {
    switch (m.t) {
      case 'released':
        for (const wake of [...(this.waiting.get(m.session_id) ?? [])]) wake();
        return;
      case 'handover':
        void this.handOver(m.session_id).catch((err: unknown) => this.o.log.warn({ err, session_id: m.session_id }, 'handover failed'));
        return;
      case 'updated': {
        this.refresh(m.session.session_id);
        this.toSockets?.updated(m.session);
        return;
      }
    }
  }

  /** Another replica has a message for a session held here: let it go at the end of its turn. */
  private async handOver(id: string): Promise<void> {
    const s = this.sessions?.registry.peek(id);
    if (!s || !this.o.leases.holds(id) || this.handing.has(id)) return;
    this.handing.add(id);
    try {
      for (;;) {
        while (s.turn) await s.turn.done;
        if (!s.awaitsProcess) break;
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      if (!this.o.leases.holds(id)) return;
      this.o.log.info({ session_id: id }, 'handing the session over to another replica');
      if (s.hasLiveProcess && (s.state === 'idle' || s.state === 'ready')) s.letGo('handed_over');
      else if (!s.hasLiveProcess) {
        await this.o.leases.release(id);
        this.o.bus?.send({ t: 'released', by: this.o.leases.replicaId, session_id: id });
      }
    } finally {
      this.handing.delete(id);
    }
  }

  /**
   * A copy held here of a session another replica changed: it takes the stored row (the same object:
   * a caller may hold it). Not while it has a process, a start or a turn here.
   */
  private refresh(id: string): void {
    const idle = (s: Session | undefined): s is Session =>
      s !== undefined && !s.hasLiveProcess && !s.awaitsProcess && !s.turn && !this.o.leases.holds(id);
    if (!idle(this.sessions?.registry.peek(id))) return;
    void Promise.resolve(this.sessions?.load(id)).then(
      (row) => {
        const s = this.sessions?.registry.peek(id);
        if (row && idle(s)) s.adopt(row);
      },
      (err: unknown) => this.o.log.debug({ err, session_id: id }, 'could not read a changed session'),
    );
  }

  /** This replica no longer holds the session's lease: its process stops now (its next claim reads the stored row). */
  private lost(id: string): void {
    this.sessions?.registry.peek(id)?.letGo('lease_lost');
  }

  async close(): Promise<void> {
    await this.o.bus?.close();
    await this.o.leases.close();
  }
}
