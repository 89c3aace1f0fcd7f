// The conversation so far. The CLI's transcript (in the config dir the CLIs were given,
// never this process's environment) is the record; a copy as messages in SQLite, with
// each turn's outcome in place, is what clients read: a page of a 2,000-turn session is
// one indexed read instead of parsing every line. The copy catches up with the
// transcript when a turn ends, when a session is opened, and at start for sessions
// stored before the copy existed.
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  forkSession,
  getSessionMessages,
  type SessionKey,
  type SessionStore,
  type SessionStoreEntry,
} from '@anthropic-ai/claude-agent-sdk';
import type { HistoryRepository, TurnRecord } from '../../db/ports.js';
import { PlatformError } from '../../protocol/errors.js';
import type { HistoryMessage } from '../../protocol/messages.js';
import { historyFromTranscript, withTurnResults } from '../sessions/turn-translator.js';
import { parseJsonLines } from '../transcripts/local-transcripts.js';

/** Version of the transcript-to-messages conversion: a stored copy made by another one is read again. */
export const HISTORY_FORMAT = 1;

export interface HistoryPage {
  messages: HistoryMessage[];
  /** Position of the first message sent: `load_history` with it as `before` gives the page before. */
  first_position: number;
  has_more: boolean;
}

/** Reads a transcript without following a link put in its place later (the agent writes that folder). */
const readTranscript = (file: string): Promise<Buffer> => fs.readFile(file, { flag: fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW });

/** A store that hands the SDK entries already read, so it resolves the conversation's chain (branches, compaction) as for a file. */
const storeOf = (entries: SessionStoreEntry[]): SessionStore => ({
  async append() {
    /* read-only */
  },
  async load(key) {
    return key.subpath ? null : entries;
  },
});

const SAFE_NAME = /^[\w.-]+$/;

/**
 * The CLI keeps one transcript per session at <configDir>/projects/<project>/<id>.jsonl: a store
 * over them, found by `find`. Appends only ever create a fork's new transcript (the SDK's forkSession writes one).
 */
function transcriptStore(configDir: string, find: (sessionId: string) => Promise<string | undefined>): SessionStore {
  const projects = path.join(configDir, 'projects');
  return {
    async append(key: SessionKey, entries: SessionStoreEntry[]) {
      const parts = [key.projectKey, key.sessionId, ...(key.subpath ? key.subpath.split('/') : [])];
      if (!parts.every((p) => SAFE_NAME.test(p) && p !== '.' && p !== '..')) throw new Error('unsafe transcript key');
      const file = key.subpath
        ? path.join(projects, key.projectKey, key.sessionId, `${key.subpath}.jsonl`)
        : path.join(projects, key.projectKey, `${key.sessionId}.jsonl`);
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await fs.appendFile(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
    },
    async load(key: SessionKey): Promise<SessionStoreEntry[] | null> {
      if (key.subpath) return null;
      const file = await find(key.sessionId);
      if (!file) return null;
      try {
        return parseJsonLines((await readTranscript(file)).toString('utf8'));
      } catch {
        return null;
      }
    },
  };
}

export class History {
  /** Transcript file of each session, once found. */
  private readonly files = new Map<string, string>();
  /** Catch-ups in flight per session: one at a time, later callers wait for it and then run their own. */
  private readonly syncing = new Map<string, Promise<void>>();

  constructor(
    private readonly opts: {
      /** The CLAUDE_CONFIG_DIR of the session's user: its transcripts are there. */
      configDirOf: (sessionId: string) => Promise<string>;
      projectDir: string;
      store: HistoryRepository;
      turnsOf: (sessionId: string) => Promise<TurnRecord[]>;
      /** Brings the session's transcript in its owner's folder up to the shared store (replicas): absent or behind, it is written from it. */
      fromStore?: ((sessionId: string) => Promise<unknown>) | undefined;
    },
  ) {}

  /** The transcripts of a session's user as the SDK's store (forks write their new transcript through it). */
  private async storeFor(sessionId: string): Promise<SessionStore> {
    return transcriptStore(await this.opts.configDirOf(sessionId), (id) => this.transcriptPath(id));
  }

  /** The session's transcript file, if the CLI wrote one (found once, then remembered). */
  async transcriptPath(sessionId: string, fetched = false): Promise<string | undefined> {
    const known = this.files.get(sessionId);
    if (known) return known;
    const projects = path.join(await this.opts.configDirOf(sessionId), 'projects');
    let dirs: string[];
    let root: string;
    try {
      dirs = await fs.readdir(projects);
      root = await fs.realpath(projects);
    } catch {
      dirs = [];
      root = projects;
    }
    for (const d of dirs) {
      const file = path.join(projects, d, `${sessionId}.jsonl`);
      try {
        // The folder is written by the user's agent: a link out of it (to the database, to another
        // user's transcript) is never followed by the server.
        const real = await fs.realpath(file);
        if (!real.startsWith(root + path.sep)) continue;
        this.files.set(sessionId, real);
        return real;
      } catch {
        /* not in this project folder */
      }
    }
    // Served by another replica so far: its transcript comes from the shared store, then is read here as usual.
    if (this.opts.fromStore && !fetched) {
      const got = await this.opts.fromStore(sessionId).catch(() => undefined);
      if (got === 'from_store') return this.transcriptPath(sessionId, true);
    }
    return undefined;
  }

  /**
   * Whether the CLI wrote a transcript for the session. A session whose process
   * ended before its first message has none: it must start fresh under its id,
   * since resuming it fails with "No conversation found".
   */
  async hasTranscript(sessionId: string): Promise<boolean> {
    return (await this.transcriptPath(sessionId)) !== undefined;
  }

  /** Brings the stored copy up to the transcript (nothing to do when its size is unchanged), after `after` when given. */
  sync(sessionId: string, after?: Promise<void>): Promise<void> {
    const prev = this.syncing.get(sessionId) ?? Promise.resolve();
    const next = prev
      .then(() => after)
      .then(() => this.syncNow(sessionId))
      .catch(() => undefined);
    this.syncing.set(sessionId, next);
    void next.finally(() => {
      if (this.syncing.get(sessionId) === next) this.syncing.delete(sessionId);
    });
    return next;
  }

  /** The content blocks of one user message of the transcript (by its uuid), or null. */
  async userBlocks(sessionId: string, uuid: string): Promise<unknown[] | null> {
    const file = await this.transcriptPath(sessionId);
    if (!file) return null;
    let raw: { type: string; uuid?: string; message: unknown }[] = [];
    try {
      const entries = parseJsonLines((await readTranscript(file)).toString('utf8'));
      raw = (await getSessionMessages(sessionId, { dir: this.opts.projectDir, sessionStore: storeOf(entries) })) as typeof raw;
    } catch {
      return null;
    }
    const m = raw.find((r) => r.type === 'user' && r.uuid === uuid);
    const content = (m?.message as { content?: unknown } | undefined)?.content;
    return Array.isArray(content) ? content : null;
  }

  /** Resolves when the catch-ups started so far have ended (a search then sees every finished turn). */
  async settled(): Promise<void> {
    await Promise.all([...this.syncing.values()]);
  }

  private async syncNow(sessionId: string): Promise<void> {
    const { store } = this.opts;
    // Another replica may have served the session since this disk last saw it: the store's lines first.
    if (this.opts.fromStore) await this.opts.fromStore(sessionId).catch(() => undefined);
    const file = await this.transcriptPath(sessionId, true);
    const src = await store.source(sessionId);
    if (!file) {
      // No message yet: recorded as read, so the start-up catch-up does not look again.
      if (!src) await store.replaceFrom(sessionId, 0, [], { bytes: 0, format: HISTORY_FORMAT, count: 0 });
      return;
    }
    const stat = await fs.stat(file).catch(() => undefined);
    if (!stat || (src && src.format === HISTORY_FORMAT && src.bytes === stat.size)) return;
    const buf = await readTranscript(file);
    // Only complete lines: a line being written is read next time.
    const complete = buf.subarray(0, buf.lastIndexOf(0x0a) + 1);
    if (src && src.format === HISTORY_FORMAT && src.bytes === complete.length) return;
    const raw = (await getSessionMessages(sessionId, {
      dir: this.opts.projectDir,
      sessionStore: storeOf(parseJsonLines(complete.toString('utf8'))),
    })) as Parameters<typeof historyFromTranscript>[0];
    const messages = withTurnResults(historyFromTranscript(raw), await this.opts.turnsOf(sessionId));
    // The transcript only grows: positions before the last stored turn stay; that turn is
    // written again (it may have been stored mid-way, or before its outcome was known).
    let from = 0;
    if (src && src.format === HISTORY_FORMAT && src.count > 0) {
      from = await store.turnStartAtOrBefore(sessionId, src.count - 1);
      const stored = (await store.range(sessionId, from, from + 1))[0]?.message;
      if (!stored || JSON.stringify(stored) !== JSON.stringify(messages[from])) from = 0;
    }
    await store.replaceFrom(sessionId, from, messages.slice(from), {
      bytes: complete.length,
      format: HISTORY_FORMAT,
      count: messages.length,
    });
  }

  /**
   * A page of the conversation: the newest `limit` messages (or those before position
   * `before`), widened back to the start of the turn they begin in so a page never
   * splits a turn (unless one turn alone is longer than twice the page). With
   * `inFlight` (the text of the turn streaming now), the page ends before that turn.
   */
  async page(
    sessionId: string,
    opts: { before?: number; limit: number; inFlight?: { text: string; startedAt: number } },
  ): Promise<HistoryPage> {
    await this.sync(sessionId);
    const { store } = this.opts;
    const count = (await store.source(sessionId))?.count ?? 0;
    // A turn in flight may be stored in part: the page ends before it (its events follow from the buffer).
    const flight = opts.inFlight && (await this.inFlightPosition(sessionId, opts.inFlight));
    const end = Math.max(0, Math.min(opts.before ?? count, flight ?? count, count));
    let start = Math.max(0, end - opts.limit);
    if (start > 0) {
      const turnStart = await store.turnStartAtOrBefore(sessionId, start);
      if (end - turnStart <= 2 * opts.limit) start = turnStart;
    }
    const messages = (await store.range(sessionId, start, end)).map((r) => r.message);
    return { messages, first_position: start, has_more: start > 0 };
  }

  /** Position of the stored first message of the turn in flight (its text, written after the turn started), if stored. */
  private async inFlightPosition(sessionId: string, turn: { text: string; startedAt: number }): Promise<number | undefined> {
    const pos = await this.opts.store.lastUserWithText(sessionId, turn.text);
    if (pos === undefined) return undefined;
    const m = (await this.opts.store.range(sessionId, pos, pos + 1))[0]?.message;
    // An earlier message with the same text is not this turn's (the CLI stamps it after we start the turn).
    return m && Date.parse(m.timestamp) >= turn.startedAt - 1000 ? pos : undefined;
  }

  /**
   * Copies the session's transcript to a new session (fresh ids) in the transcript folder of `cwd`
   * (where a CLI started there looks for it) and returns the new id. With `beforeMessageId` (a user
   * message of the session) the copy ends just before that message.
   */
  async fork(sessionId: string, cwd: string, beforeMessageId?: string): Promise<string> {
    let upToMessageId: string | undefined;
    if (beforeMessageId) {
      const chain = await getSessionMessages(sessionId, { dir: this.opts.projectDir, sessionStore: await this.storeFor(sessionId) });
      const i = chain.findIndex((m) => m.uuid === beforeMessageId && m.type === 'user');
      if (i < 0) throw new PlatformError('invalid_message', 'No user message with that message_id in this session');
      if (i === 0) throw new PlatformError('invalid_message', 'Nothing comes before the first message: start a new session instead');
      upToMessageId = chain[i - 1]?.uuid;
    }
    try {
      const r = await forkSession(sessionId, {
        dir: cwd,
        sessionStore: await this.storeFor(sessionId),
        ...(upToMessageId ? { upToMessageId } : {}),
      });
      return r.sessionId;
    } catch (e) {
      throw new PlatformError('invalid_message', `This session has no conversation to fork yet (${(e as Error).message.slice(0, 200)})`);
    }
  }

  /** The whole conversation (export, forks). */
  load(sessionId: string): Promise<HistoryMessage[]> {
    return this.all(sessionId);
  }

  /** The whole conversation (export). */
  async all(sessionId: string): Promise<HistoryMessage[]> {
    await this.sync(sessionId);
    return (await this.opts.store.all(sessionId)).map((r) => r.message);
  }

  /**
   * Reads the transcripts of sessions stored before this copy existed (or by an older
   * conversion), one at a time, most recent first, until done or `stopped()`.
   */
  async backfill(stopped: () => boolean): Promise<number> {
    let n = 0;
    for (const id of await this.opts.store.unsynced(HISTORY_FORMAT)) {
      if (stopped()) break;
      await this.sync(id);
      n++;
      await new Promise((r) => setImmediate(r));
    }
    return n;
  }
}
