// The conversations behind sessions, as users read them: the newest page (with
// the turn in flight handed over to the live events), earlier pages, the whole
// conversation (export), search, attachments of stored messages, forks, and the
// start-up catch-up of transcripts stored before their copy existed.
import type { Readable } from 'node:stream';
import type { HistoryRepository, SessionMetadata, SessionRepository } from '../../db/ports.js';
import type { HistoryMessage, SessionSummary } from '../../protocol/messages.js';
import type { Session } from '../sessions/session.js';
import type { AttachmentStore } from './attachment-store.js';
import { attachmentContent } from './attachments.js';
import { History, type HistoryPage } from './history.js';
import { forkTitle } from './titles.js';

export interface ConversationsDeps {
  /** The CLI config folder holding a session's transcript. */
  configDirOf: (sessionId: string) => Promise<string>;
  projectDir: string;
  repo: SessionRepository;
  historyRepo: HistoryRepository;
  pageSize: number;
  /** Where sent attachments are kept (per user, in the data folder). */
  attachments?: Pick<AttachmentStore, 'open'> | undefined;
  /** Brings a session's transcript from the shared store into its owner's folder (DATABASE_URL=postgres://…). */
  fromStore?: ((sessionId: string) => Promise<unknown>) | undefined;
}

/** An attachment to serve: a stream from the store, or bytes read back from the transcript. */
export interface AttachmentFile {
  mediaType: string;
  bytes?: Buffer;
  stream?: Readable;
}

export class Conversations {
  readonly history: History;
  /** The start-up catch-up (backfill), once started: resolves with the sessions it read. */
  caughtUp: Promise<number> = Promise.resolve(0);

  constructor(private readonly d: ConversationsDeps) {
    this.history = new History({
      configDirOf: d.configDirOf,
      projectDir: d.projectDir,
      store: d.historyRepo,
      turnsOf: (id) => d.repo.turnsOf(id),
      fromStore: d.fromStore,
    });
  }

  /**
   * The newest page of the conversation. While a turn streams, the page stops
   * before that turn: its events (from turn_started on) follow from the buffer, so
   * nothing is missing and nothing is sent twice.
   */
  async newest(s: Session): Promise<HistoryPage & { lastEventId: number }> {
    const turn = s.turn;
    const lastEventId = turn ? turn.startEventId : s.lastEventId;
    const inFlight = turn ? { text: turn.text, startedAt: turn.startedAt } : undefined;
    return { ...(await this.history.page(s.id, { limit: this.d.pageSize, inFlight })), lastEventId };
  }

  /** The page before position `before` (never the turn in flight: it is after every position a client was given). */
  before(s: Session, beforePos: number): Promise<HistoryPage> {
    return this.history.page(s.id, { before: beforePos, limit: this.d.pageSize });
  }

  /** The whole stored conversation, turn outcomes included. */
  all(s: Session): Promise<HistoryMessage[]> {
    return this.history.all(s.id);
  }

  /**
   * The stored copy catches up with a finished turn (once `stored`, the turn's row, is written), off the
   * turn's path; once more a moment later, for lines the CLI writes after its result.
   */
  turnEnded(sessionId: string, stored?: Promise<void>): void {
    void this.history.sync(sessionId, stored);
    setTimeout(() => void this.history.sync(sessionId), 1000).unref();
  }

  /** Sessions whose title or a message matches `q`, newest first, with a snippet of the match. */
  async search(
    q: string,
    opts: { limit: number; userId?: string | undefined },
    summaryOf: (m: SessionMetadata) => SessionSummary,
  ): Promise<(SessionSummary & { snippet?: string })[]> {
    await this.history.settled();
    const hits = await this.d.historyRepo.search(q);
    const rows = await this.d.repo.listOf([...hits.keys()], opts);
    return Promise.all(
      rows.map(async (m) => {
        const row = hits.get(m.session_id);
        const snippet = row === undefined ? undefined : await this.d.historyRepo.snippet(q, row);
        return { ...summaryOf(m), ...(snippet ? { snippet } : {}) };
      }),
    );
  }

  /** One attachment of the session's stored transcript (`<message uuid>.<block index>`), or null. */
  async attachment(s: Session, attachmentId: string): Promise<AttachmentFile | null> {
    const stored = this.d.attachments?.open(s.ownerId, s.id, attachmentId);
    if (stored) return { mediaType: stored.mediaType, stream: stored.stream };
    // Messages from before the store: read back from the transcript.
    const m = attachmentId.match(/^([0-9a-f-]{36})\.(\d{1,4})$/i);
    if (!m) return null;
    const blocks = await this.history.userBlocks(s.id, m[1] as string);
    return attachmentContent(blocks?.[Number(m[2])] as Parameters<typeof attachmentContent>[0]);
  }

  /**
   * The stored row of a new session holding the conversation of `src` (before `messageId` when given),
   * from a copy of its transcript in `cwd` (the CLI finds a transcript by its working folder).
   */
  async fork(src: Session, ownerId: string, cwd: string, messageId: string | undefined): Promise<SessionMetadata> {
    const newId = await this.history.fork(src.id, cwd, messageId);
    const now = new Date().toISOString();
    const kept = (await this.history.load(newId)).filter((m) => m.type === 'user' || m.type === 'assistant').length;
    return {
      session_id: newId,
      user_id: ownerId,
      status: 'creating',
      created_at: now,
      last_active_at: now,
      subprocess_pid: null,
      message_count: kept,
      total_cost_usd: 0,
      is_resumable: true,
      terminated_reason: null,
      title: forkTitle(src.record().title),
      model: src.options.model ?? null,
      permission_mode: src.options.permissionMode ?? null,
      working_dir: cwd,
    };
  }

  /** Reads, in the background, the transcripts of sessions stored before their copy existed (search finds them after). */
  backfill(stopped: () => boolean): Promise<number> {
    this.caughtUp = this.history.backfill(stopped).catch(() => 0);
    return this.caughtUp;
  }
}
