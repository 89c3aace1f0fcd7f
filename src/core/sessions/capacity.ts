// MAX_SESSIONS: how many sessions may hold a CLI process (live, or starting) at once.
// With SESSION_EVICTION=idle a full server makes room by releasing the process of
// the least recently used idle session (it becomes dormant); with `off` it refuses.
import { PlatformError } from '../../protocol/errors.js';

export type EvictionMode = 'idle' | 'off';

/** What capacity needs to know of a session to choose one to release. */
export interface EvictionCandidate {
  readonly id: string;
  readonly isReleasable: boolean;
  readonly lastUsedAt: number;
}

/** The least recently used session that is idle enough to give its process up. */
export function leastRecentlyUsedIdle<T extends EvictionCandidate>(sessions: Iterable<T>, except?: string): T | undefined {
  let best: T | undefined;
  for (const s of sessions) {
    if (s.id === except || !s.isReleasable) continue;
    if (!best || s.lastUsedAt < best.lastUsedAt) best = s;
  }
  return best;
}

export class Capacity {
  private readonly slots = new Set<string>();

  constructor(
    private readonly max: () => number,
    private readonly mode: EvictionMode,
  ) {}

  get used(): number {
    return this.slots.size;
  }

  /**
   * Takes a slot for `id`. When full, `release` is asked for a session to give its
   * process up (eviction on): its slot passes to `id` at once, so no other start can
   * take it in between. Throws capacity_exceeded when there is none.
   */
  reserve<T extends EvictionCandidate>(id: string, candidates: () => Iterable<T>, release: (victim: T) => void): void {
    if (this.slots.has(id)) return;
    if (this.slots.size >= this.max()) {
      const victim = this.mode === 'idle' ? leastRecentlyUsedIdle(candidates(), id) : undefined;
      if (!victim) throw new PlatformError('capacity_exceeded', undefined, { max: this.max() });
      this.slots.delete(victim.id);
      release(victim);
    }
    this.slots.add(id);
  }

  /** Whether a new session could get a process now (a free slot, or an idle session to release). */
  canAdmit(candidates: Iterable<EvictionCandidate>): boolean {
    return this.slots.size < this.max() || (this.mode === 'idle' && leastRecentlyUsedIdle(candidates) !== undefined);
  }

  /** Moves a slot to another id (a new session's id is known only once its process is up). */
  rename(from: string, to: string): void {
    if (from === to || !this.slots.delete(from)) return;
    this.slots.add(to);
  }

  release(id: string): void {
    this.slots.delete(id);
  }

  clear(): void {
    this.slots.clear();
  }
}
