// Transcripts reachable from every replica. The CLI writes its transcript in the session owner's
// config folder as always; the SDK's `sessionStore` option mirrors each batch of lines to
// PostgreSQL (append). Before a process resumes a session, the owner's folder is brought up to the
// store (written from it when absent or behind), so the CLI resumes from its usual file and keeps
// writing there: history, exports, forks, plans and file checkpoints stay where they are read.
//
// The SDK drops a batch after three failed appends (a `mirror_error` message): a failed append
// marks the transcript for repair, and the repair copies the owner's local file (the CLI wrote it
// before the SDK mirrored anything) over the stored copy, retried with backoff until it lands.
// docs/decisions.md ("Transcripts on PostgreSQL") says why the SDK's own load is not used.
import { EventEmitter } from 'node:events';
import type { SessionKey, SessionStore, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import { findLocalTranscripts, readTranscriptFile, transcriptFile, writeTranscriptFile } from './local-transcripts.js';
import { FencedOut, type PgTranscriptStore } from './pg-transcript-store.js';

/** What the mirror reports (the /metrics counters). */
export interface MirrorMetrics {
  /** An append or repair that did not reach the store; `fenced`: refused because the lease is another replica's. */
  failed(reason: 'error' | 'fenced'): void;
  /** A transcript marked for repair was copied to the store again. */
  repaired(): void;
}

interface Pending {
  key: SessionKey;
  configDir: string;
  attempts: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Rejects when `p` has not settled within `ms`. A hung database would otherwise hold the session's
 * queue of writes forever (the SDK gives up on its side at 60 s without a word to us); the write may
 * still land later, which the uuid index and the repair (a copy of the whole file) make harmless.
 */
function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the transcript store did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

const keyId = (k: SessionKey) => `${k.sessionId}/${k.subpath ?? ''}`;

/** Uuids of the lines that carry one (the SDK's idempotency key). */
const uuidsOf = (entries: SessionStoreEntry[]) => new Set(entries.flatMap((e) => (typeof e.uuid === 'string' ? [e.uuid] : [])));

/** What happened to the mirror (metrics are fed directly; tests wait on these). */
export interface MirrorEvents {
  appended: [key: SessionKey, entries: SessionStoreEntry[]];
  failed: [key: SessionKey, error: Error];
  repaired: [key: SessionKey];
}

export class TranscriptMirror extends EventEmitter<MirrorEvents> {
  /** One write at a time per session: a repair never interleaves with an append of the same session. */
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly pending = new Map<string, Pending>();
  private closed = false;

  constructor(
    readonly store: PgTranscriptStore,
    private readonly opts: {
      log: Logger;
      metrics?: MirrorMetrics | undefined;
      /** First repair delay (doubles per attempt up to 30 s). */
      repairDelayMs?: number;
      /** An append (or the check before a resume) that has not answered by then counts as failed: a database that hangs instead of refusing. Repairs and full loads get three times as long. */
      writeTimeoutMs?: number;
    },
  ) {
    super();
  }

  private get timeoutMs(): number {
    return this.opts.writeTimeoutMs ?? 20_000;
  }

  /** Transcripts marked for repair and not yet repaired. */
  get pendingRepairs(): number {
    return this.pending.size;
  }

  private locked<T>(sessionId: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(sessionId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(fn);
    const tail = next.catch(() => undefined);
    this.chains.set(sessionId, tail);
    void tail.then(() => {
      if (this.chains.get(sessionId) === tail) this.chains.delete(sessionId);
    });
    return next;
  }

  /**
   * The `sessionStore` a CLI process of this config folder gets: appends go to PostgreSQL; `load`
   * finds nothing, so the SDK never materialises a resume itself (prepare() already brought the
   * owner's folder up to the store).
   */
  storeFor(configDir: string): SessionStore {
    return {
      append: (key, entries) =>
        this.locked(key.sessionId, () => bounded(this.store.append(key, entries), this.timeoutMs)).then(
          () => void this.emit('appended', key, entries),
          (e: Error) => {
            this.failed(key, configDir, e);
            throw e;
          },
        ),
      load: async () => null,
    };
  }

  private failed(key: SessionKey, configDir: string, e: Error): void {
    const fenced = e instanceof FencedOut;
    this.opts.metrics?.failed(fenced ? 'fenced' : 'error');
    this.emit('failed', key, e);
    // A replica without the lease must not write: nothing to repair from here.
    if (fenced || this.closed) return;
    const id = keyId(key);
    if (!this.pending.has(id)) {
      this.opts.log.warn(
        { session_id: key.sessionId, subpath: key.subpath, err: e.message.slice(0, 300) },
        'transcript mirror failed; will repair',
      );
      const p: Pending = { key, configDir, attempts: 0, timer: undefined };
      this.pending.set(id, p);
      this.schedule(p);
    }
  }

  private schedule(p: Pending): void {
    if (this.closed || p.timer) return;
    const delay = Math.min(30_000, (this.opts.repairDelayMs ?? 1000) * 2 ** Math.min(p.attempts, 10));
    p.timer = setTimeout(() => {
      p.timer = undefined;
      void this.repair(p);
    }, delay);
    p.timer.unref();
  }

  private async repair(p: Pending): Promise<void> {
    try {
      await this.locked(p.key.sessionId, async () => {
        const entries = await readTranscriptFile(transcriptFile(p.configDir, p.key));
        if (entries) await bounded(this.store.replace(p.key, entries), this.timeoutMs * 3);
      });
      this.pending.delete(keyId(p.key));
      this.opts.metrics?.repaired();
      this.emit('repaired', p.key);
      this.opts.log.info({ session_id: p.key.sessionId, subpath: p.key.subpath }, 'transcript mirror repaired');
    } catch (e) {
      p.attempts++;
      if (e instanceof FencedOut) {
        this.pending.delete(keyId(p.key));
        this.opts.metrics?.failed('fenced');
        return;
      }
      this.opts.metrics?.failed('error');
      this.schedule(p);
    }
  }

  /** Removes a deleted session's stored transcripts, after the writes already queued for it (and forgets its repairs). */
  async deleteSession(sessionId: string): Promise<void> {
    for (const [id, p] of this.pending)
      if (p.key.sessionId === sessionId) {
        if (p.timer) clearTimeout(p.timer);
        this.pending.delete(id);
      }
    await this.locked(sessionId, () => this.store.delete(sessionId));
  }

  /** Repairs every marked transcript now (tests; shutdown). */
  async repairNow(): Promise<void> {
    for (const p of [...this.pending.values()]) {
      if (p.timer) clearTimeout(p.timer);
      p.timer = undefined;
      await this.repair(p);
    }
  }

  /**
   * Before a process resumes the session from this config folder: the folder gets the stored
   * transcripts when it has none or is behind the store (another replica served the session
   * since); the store gets the local ones when it lacks them (a session from before the store, a
   * fork, a repair a restart cut short). With the store unreachable, a local transcript still
   * resumes; without one the start fails (retryable: the conversation is not lost).
   */
  async prepare(sessionId: string, configDir: string): Promise<'from_store' | 'to_store' | 'in_step' | 'none'> {
    return this.locked(sessionId, async () => {
      const localKeys = await findLocalTranscripts(configDir, sessionId);
      let stored: { lines: number; uuids: Set<string> } | undefined;
      try {
        stored = await bounded(this.store.digest(sessionId), this.timeoutMs);
      } catch (e) {
        this.opts.metrics?.failed('error');
        if (localKeys.length > 0) {
          this.opts.log.warn(
            { session_id: sessionId, err: (e as Error).message },
            'transcript store unreachable; resuming from the local transcript',
          );
          return 'in_step';
        }
        throw new Error(`The conversation store is unreachable: ${(e as Error).message}`);
      }
      const localMain = localKeys[0] ? await readTranscriptFile(transcriptFile(configDir, localKeys[0])) : null;
      if (!stored) {
        if (!localMain) return 'none';
        await this.copyToStore(configDir, localKeys);
        return 'to_store';
      }
      if (localMain) {
        const local = uuidsOf(localMain);
        const storeAhead = [...stored.uuids].some((u) => !local.has(u));
        if (!storeAhead) {
          const localAhead = [...local].some((u) => !stored.uuids.has(u)) || localMain.length > stored.lines;
          if (!localAhead) return 'in_step';
          await this.copyToStore(configDir, localKeys);
          return 'to_store';
        }
      }
      const t0 = performance.now();
      const transcripts = await bounded(this.store.load(sessionId), this.timeoutMs * 3);
      for (const t of transcripts) {
        const key: SessionKey = { projectKey: t.projectKey, sessionId, ...(t.subpath ? { subpath: t.subpath } : {}) };
        await writeTranscriptFile(configDir, key, t.entries);
      }
      this.opts.log.info(
        { session_id: sessionId, lines: transcripts.reduce((n, t) => n + t.entries.length, 0), ms: Math.round(performance.now() - t0) },
        'transcript written from the store',
      );
      return 'from_store';
    });
  }

  /** The local transcripts over the stored ones; a failure marks them for repair (the local copy still resumes). */
  private async copyToStore(configDir: string, keys: SessionKey[]): Promise<void> {
    for (const key of keys) {
      try {
        const entries = await readTranscriptFile(transcriptFile(configDir, key));
        if (entries) await this.store.replace(key, entries);
      } catch (e) {
        this.failed(key, configDir, e as Error);
      }
    }
  }

  /** Stops repairs (what is still marked is repaired by the next prepare of its session). */
  close(): void {
    this.closed = true;
    for (const p of this.pending.values()) if (p.timer) clearTimeout(p.timer);
  }
}
