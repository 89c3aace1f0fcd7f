// The sessions held in memory. A session not in memory is loaded from the
// database on demand. One eviction rule: a terminated session (no process, no
// turn) leaves memory `retentionMs` after it was last terminated or looked up,
// long enough for a reconnecting client to be sent what it missed.
import { EventEmitter } from 'node:events';
import type { Session } from './session.js';

export class SessionRegistry extends EventEmitter<{ forgotten: [string] }> {
  private readonly sessions = new Map<string, Session>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Loads in flight: two lookups of one stored session share one Session. */
  private readonly loading = new Map<string, Promise<Session | undefined>>();

  constructor(
    private readonly load: (id: string) => Promise<Session | undefined>,
    /** How long a terminated session stays in memory for reconnecting clients. */
    public retentionMs = 60_000,
  ) {
    super();
  }

  add(s: Session): void {
    this.sessions.set(s.id, s);
  }

  /** In memory, or loaded from the database (terminated ones included, kept for the retention time only). */
  async get(id: string): Promise<Session | undefined> {
    const s = this.sessions.get(id) ?? (await this.loadOnce(id));
    if (s) this.touch(s);
    return s;
  }

  private loadOnce(id: string): Promise<Session | undefined> {
    let p = this.loading.get(id);
    if (!p) {
      p = this.load(id).then((loaded) => {
        // A session added meanwhile (created, forked) wins over the stored row.
        const s = this.sessions.get(id) ?? loaded;
        if (s) this.sessions.set(id, s);
        return s;
      });
      this.loading.set(id, p);
      void p.then(
        () => this.loading.delete(id),
        () => this.loading.delete(id),
      );
    }
    return p;
  }

  /** The session if it is in memory (never loads one). */
  peek(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  has(id: string): boolean {
    return this.sessions.has(id);
  }

  values(): IterableIterator<Session> {
    return this.sessions.values();
  }

  get size(): number {
    return this.sessions.size;
  }

  /** (Re)starts the retention clock of a terminated session; others stay. */
  touch(s: Session): void {
    if (s.state !== 'terminated') return;
    clearTimeout(this.timers.get(s.id));
    const t = setTimeout(() => {
      this.timers.delete(s.id);
      if (this.sessions.get(s.id) === s && s.state === 'terminated' && !s.proc && !s.turn) {
        this.sessions.delete(s.id);
        this.emit('forgotten', s.id);
      }
    }, this.retentionMs);
    t.unref();
    this.timers.set(s.id, t);
  }

  /** A deleted session leaves memory at once (its process already stopped). */
  remove(id: string): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    if (this.sessions.delete(id)) this.emit('forgotten', id);
  }

  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
