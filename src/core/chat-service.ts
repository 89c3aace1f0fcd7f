// What a client can do with sessions, whatever the transport: create, send,
// switch (with the resume decision and the history hand-off), destroy,
// interrupt, answer a permission request. It also decides who watches a session:
// one watcher at a time receives its live events. Transports parse input, call
// this, and turn results and errors into frames or responses.
//
// Every operation takes the caller and looks its session up once (`session`),
// then passes the session down. A session belongs to the user who created it;
// for anyone else it does not exist: the lookup answers not_found
// (session_not_found on the WebSocket) exactly as for an unknown id. By role,
// admins may list, see the detail of and end anyone's session, never use it
// (send, open, interrupt, answer its questions).
import { PlatformError } from '../protocol/errors.js';
import {
  type Attachment,
  type ExportJsonResponse,
  type ExtensionsResponse,
  type HistoryMessage,
  type ModelInfo,
  type PermissionDecision,
  type QuestionAnswers,
  type RewindFilesResponse,
  SESSION_LIST_DEFAULT_LIMIT,
  type SessionDetailResponse,
  type SessionListItem,
  type SessionSource,
  type SessionSummary,
  type SlashCommandInfo,
  type UnsequencedFrame,
} from '../protocol/messages.js';
import type { AuditRecord } from './accounting/audit-log.js';
import { RewindRefused } from './agent-policy/rewind-guard.js';
import { type AttachmentLimits, prepareMessage } from './conversations/attachments.js';
import { type ExportFormat, exportFilename, exportMarkdown } from './conversations/export.js';
import { decodeCursor, encodeCursor } from './conversations/list-cursor.js';
import { isAdmin, type Principal } from './identity/principal.js';
import type { BufferedEvent, Session } from './sessions/session.js';
import type { AttachmentFile, SessionManager, SessionOptions } from './sessions/session-manager.js';
import { sessionDetail } from './sessions/session-view.js';

/** What an admin may do with someone else's session (they never use it). */
type AdminRight = 'see' | 'end';

/** Someone receiving frames: a WebSocket connection. */
export interface Watcher {
  send(frame: UnsequencedFrame): void;
}

const USER_ENDED = 'Session ended at your request.';
const USER_DISABLED = 'Session ended: your account was disabled.';
const ADMIN_ENDED = 'Session ended by an administrator.';

export class ChatService {
  /** One watcher per session: the one that last sent to it, switched to it or created it. */
  private readonly watchers = new Map<string, Watcher>();
  /** Sessions whose history is being sent to a watcher: live events wait in the session's buffer meanwhile. */
  private readonly holding = new WeakMap<Watcher, Set<string>>();

  constructor(
    private readonly manager: SessionManager,
    /** ATTACHMENT_* limits: what a message may carry. */
    private readonly attachmentLimits: AttachmentLimits,
    /** Records what a user did to a session (fork, rewind, rename, export, attachment fetch): the audit log. */
    private readonly audit: (r: AuditRecord) => void = () => {},
  ) {
    manager.on('event', (ev) => this.deliver(ev));
  }

  onSessionUpdated(fn: (s: SessionSummary) => void): void {
    this.manager.on('updated', fn);
  }

  onSessionDeleted(fn: (d: { session_id: string; user_id: string }) => void): void {
    this.manager.on('deleted', fn);
  }

  /** The caller's sessions, newest first; every user's with `all` (admins only: forbidden otherwise). */
  list(p: Principal, opts: { all?: boolean } = {}): Promise<SessionSummary[]> {
    if (opts.all) {
      if (!isAdmin(p)) throw new PlatformError('forbidden');
      return this.manager.lists.all();
    }
    return this.manager.lists.all(p.user_id);
  }

  /**
   * A page of the session list, newest first (`cursor`: the previous page's next_cursor),
   * or with `q` the sessions matching a search (one page, no cursor).
   */
  async listPage(
    p: Principal,
    opts: { limit?: number; cursor?: string; q?: string; all?: 'true' | 'false'; archived?: 'true' | 'false' },
  ): Promise<{ sessions: SessionListItem[]; next_cursor: string | null }> {
    if (opts.all === 'true' && !isAdmin(p)) throw new PlatformError('forbidden');
    // Only the caller's own sessions, unless an admin asks for everyone's.
    const userId = opts.all === 'true' ? undefined : p.user_id;
    const limit = opts.limit ?? SESSION_LIST_DEFAULT_LIMIT;
    if (opts.q !== undefined)
      return {
        sessions: await this.manager.conversations.search(opts.q, { limit, userId }, (m) => this.manager.lists.summary(m)),
        next_cursor: null,
      };
    const cursor = opts.cursor === undefined ? undefined : decodeCursor(opts.cursor);
    const { sessions, next } = await this.manager.lists.page({ limit, cursor, userId, archived: opts.archived === 'true' });
    return { sessions, next_cursor: next ? encodeCursor(next) : null };
  }

  /** The conversation as a file: its name and content (Markdown text, or the JSON document); the transport types it. */
  async exportSession(
    p: Principal,
    sessionId: string,
    format: ExportFormat,
  ): Promise<{ filename: string; format: ExportFormat; body: string | ExportJsonResponse }> {
    const s = await this.session(p, sessionId);
    const messages: HistoryMessage[] = await this.manager.conversations.all(s);
    this.audit({ actor_user_id: p.user_id, action: 'session.exported', session_id: s.id, detail: { format } });
    const summary = s.summary();
    const filename = exportFilename(summary, format);
    if (format === 'json') return { filename, format, body: { session: summary, messages, exported_at: new Date().toISOString() } };
    return { filename, format, body: exportMarkdown(summary, messages) };
  }

  get isShuttingDown(): boolean {
    return this.manager.isShuttingDown;
  }

  watcherOf(sessionId: string): Watcher | undefined {
    return this.watchers.get(sessionId);
  }

  /** The watcher went away (socket closed). */
  forget(w: Watcher): void {
    for (const [id, owner] of this.watchers) if (owner === w) this.watchers.delete(id);
  }

  /** Makes w the session's watcher; the previous one is told when `notify`. */
  watch(sessionId: string, w: Watcher, notify: boolean): void {
    const prev = this.watchers.get(sessionId);
    if (prev === w) return;
    this.watchers.set(sessionId, w);
    if (prev && notify)
      prev.send({
        type: 'session_opened_elsewhere',
        session_id: sessionId,
        message: 'This session was opened in another window. Updates now go there.',
      });
  }

  private deliver(ev: BufferedEvent): void {
    const w = this.watchers.get(ev.session_id);
    if (!w || this.holding.get(w)?.has(ev.session_id)) return;
    w.send(ev);
  }

  /**
   * The one session lookup: the caller's own session, or, for an admin, anyone's where
   * `admin` grants it. Someone else's answers exactly like an unknown id, on the same path.
   */
  private async session(p: Principal, id: string, admin?: AdminRight): Promise<Session> {
    const s = await this.manager.find(id);
    if (!s || (s.ownerId !== p.user_id && !(admin && isAdmin(p)))) throw new PlatformError('not_found');
    return s;
  }

  /** The id of one of the caller's own sessions (the workspace routes: owner only), or not_found. */
  async ownSession(p: Principal, id: string): Promise<string> {
    return (await this.session(p, id)).id;
  }

  /** The summary plus process and memory: the owner's, or any for an admin. */
  async detail(p: Principal, id: string): Promise<SessionDetailResponse> {
    return sessionDetail(await this.session(p, id, 'see'));
  }

  /** A new session of the caller; `watcher` watches it, `onCold` hears a cold start's estimate first. */
  async create(
    p: Principal,
    opts: { watcher?: Watcher; onCold?: (estimatedSeconds: number) => void; options?: SessionOptions } = {},
  ): Promise<{ session_id: string; source: SessionSource; summary: SessionSummary }> {
    const { session, source } = await this.manager.createSession(p.user_id, { onCold: opts.onCold, options: opts.options });
    if (opts.watcher) this.watch(session.id, opts.watcher, false);
    return { session_id: session.id, source, summary: session.summary() };
  }

  /**
   * Sends a message. Throws (before anything else happens) what the message gets
   * instead: unknown session, a turn in flight, not resumable. Once accepted, w
   * watches the session, `accepted` is called before the turn's first event, and
   * this resolves when the turn ends (its failures reach w as stream_error).
   */
  async send(
    p: Principal,
    m: { watcher: Watcher; sessionId: string; text: string; attachments?: Attachment[] | undefined; accepted: () => void },
  ): Promise<void> {
    const s = await this.session(p, m.sessionId);
    await this.manager.checkCanSend(s);
    const prepared = prepareMessage(m.text, m.attachments, this.attachmentLimits);
    this.watch(s.id, m.watcher, true);
    m.accepted();
    try {
      await this.manager.sendMessage(s, { text: m.text, prepared });
    } catch (e) {
      if (e instanceof PlatformError && e.code === 'query_in_progress') throw e;
    }
  }

  /**
   * w watches the session from now on. With `after` and a buffer that reaches back
   * that far, only the missed events are sent; otherwise the history, then the
   * events of the turn in flight, with live events held back meanwhile so none is
   * lost or sent twice. A session without a process (terminated, or after a
   * crash) is resumed; a dormant one waits for its next message.
   */
  async switchTo(p: Principal, to: { watcher: Watcher; sessionId: string; after?: number | undefined }): Promise<void> {
    const { watcher: w, after } = to;
    const s = await this.session(p, to.sessionId);
    this.watch(s.id, w, true);
    const missed = after !== undefined ? s.eventsAfter(after) : undefined;
    if (missed) {
      for (const ev of missed) w.send(ev);
    } else {
      let held = this.holding.get(w);
      if (!held) this.holding.set(w, (held = new Set()));
      held.add(s.id);
      try {
        const { messages, lastEventId, has_more, first_position } = await this.manager.conversations.newest(s);
        w.send({
          type: 'session_history',
          session_id: s.id,
          session: s.summary(),
          messages,
          is_query_active: s.turn !== null,
          last_event_id: lastEventId,
          has_more,
          first_position,
        });
        for (const ev of s.eventsAfter(lastEventId) ?? []) w.send(ev);
      } finally {
        held.delete(s.id);
      }
    }
    if (!s.hasLiveProcess && s.isResumable && !s.turn && s.state !== 'dormant') await this.manager.ensureProcess(s);
  }

  /**
   * Ends a session at its owner's request or, with `admin` (the administration
   * route: an admin's right by role), anyone's. A watcher other than the session's
   * current one (which gets the events anyway) is sent the ending events too.
   */
  async destroy(
    p: Principal,
    sessionId: string,
    opts: { watcher?: Watcher | undefined; admin?: boolean } = {},
  ): Promise<{ summary: SessionSummary; reason: string }> {
    const w = opts.watcher;
    const s = await this.session(p, sessionId, opts.admin ? 'end' : undefined);
    const own = s.ownerId === p.user_id;
    const reason = own ? 'user_requested' : 'admin_requested';
    const owner = this.watchers.get(s.id);
    if (w && !owner) this.watch(s.id, w, false);
    const before = s.lastEventId;
    const summary = await this.manager.destroy(s, reason, own ? USER_ENDED : ADMIN_ENDED, p.user_id);
    if (w && owner && owner !== w) for (const ev of s.eventsAfter(before) ?? []) w.send(ev);
    return { summary, reason };
  }

  /** The page of one of the caller's conversations before position `before` (scrolling back). */
  async loadHistory(p: Principal, w: Watcher, sessionId: string, before: number): Promise<void> {
    const s = await this.session(p, sessionId);
    const page = await this.manager.conversations.before(s, before);
    w.send({ type: 'session_history_page', session_id: s.id, ...page });
  }

  /** Renames one of the caller's sessions (any state); the owner's clients are told through session_updated. */
  async rename(p: Principal, sessionId: string, title: string): Promise<SessionSummary> {
    const s = await this.session(p, sessionId);
    s.rename(title);
    this.audit({ actor_user_id: p.user_id, action: 'session.renamed', session_id: s.id, detail: { title } });
    return s.summary();
  }

  /** One attachment of the caller's session's stored messages (for its thumbnail), or null when there is none by that id. */
  async attachment(p: Principal, sessionId: string, attachmentId: string): Promise<AttachmentFile | null> {
    const s = await this.session(p, sessionId);
    const file = await this.manager.conversations.attachment(s, attachmentId);
    if (file)
      this.audit({ actor_user_id: p.user_id, action: 'attachment.fetched', session_id: s.id, detail: { attachment_id: attachmentId } });
    return file;
  }

  async interrupt(p: Principal, sessionId: string): Promise<void> {
    await this.manager.interrupt(await this.session(p, sessionId));
  }

  /**
   * Answers a pending permission request. Only the owner's connection that watches
   * the session may answer: for anyone else the request does not exist (false, as
   * for an unknown one).
   */
  answerPermission(
    p: Principal,
    w: Watcher,
    requestId: string,
    decision: PermissionDecision,
    extras: { answers?: QuestionAnswers; message?: string } = {},
  ): boolean {
    const s = this.manager.sessionOfRequest(requestId);
    if (!s || s.ownerId !== p.user_id || this.watchers.get(s.id) !== w) return false;
    return this.manager.answerPermission(s, requestId, decision, extras);
  }

  /** Changes the caller's session's model and/or permission mode between turns; the owner's clients hear session_updated. */
  async setOptions(p: Principal, sessionId: string, opts: SessionOptions): Promise<SessionSummary> {
    return this.manager.setOptions(await this.session(p, sessionId), opts);
  }

  /** A new session of the caller with the conversation of their session so far (before `messageId` when given). */
  async fork(p: Principal, sessionId: string, messageId?: string): Promise<{ session_id: string; summary: SessionSummary }> {
    const from = await this.session(p, sessionId);
    const f = await this.manager.fork(from, p.user_id, messageId);
    this.audit({
      actor_user_id: p.user_id,
      action: 'session.forked',
      session_id: f.id,
      detail: { from_session_id: from.id, ...(messageId ? { message_id: messageId } : {}) },
    });
    return { session_id: f.id, summary: f.summary() };
  }

  /** Restores (or previews) the files the agent changed after a message: the owner only. */
  async rewindFiles(p: Principal, sessionId: string, messageId: string, dryRun: boolean): Promise<RewindFilesResponse> {
    const s = await this.session(p, sessionId);
    const record = (outcome: 'restored' | 'refused' | 'failed', files: string[]) =>
      this.audit({
        actor_user_id: p.user_id,
        action: 'session.rewound',
        session_id: s.id,
        detail: { message_id: messageId, dry_run: dryRun, outcome, files: files.slice(0, 20) },
      });
    try {
      const r = await this.manager.rewindFiles(s, messageId, dryRun);
      // A preview changes nothing: only real rewinds (and refusals) are recorded.
      if (!dryRun) record(r.can_rewind ? 'restored' : 'failed', r.files_changed);
      return r;
    } catch (e) {
      if (e instanceof RewindRefused) record('refused', e.files);
      else if (!dryRun && e instanceof PlatformError && e.code === 'rewind_unavailable') record('failed', []);
      throw e;
    }
  }

  async models(): Promise<ModelInfo[]> {
    const { models } = await this.manager.catalog.get();
    return models.map((m) => ({ value: m.value, display_name: m.displayName, description: m.description }));
  }

  /** The slash palette: the project's commands and skills first, then the CLI's own commands. */
  async commands(ext: Pick<ExtensionsResponse, 'commands' | 'skills'>): Promise<SlashCommandInfo[]> {
    const out: SlashCommandInfo[] = [];
    const seen = new Set<string>();
    const add = (c: SlashCommandInfo) => {
      if (seen.has(c.name)) return;
      seen.add(c.name);
      out.push(c);
    };
    for (const c of ext.commands) add({ name: c.name, description: c.description ?? '', source: 'project' });
    for (const c of ext.skills) add({ name: c.name, description: c.description ?? '', source: 'skill' });
    const { commands } = await this.manager.catalog.get();
    for (const c of commands) {
      // The project's commands reach the CLI as a plugin (`project:<name>`): listed once, by the name the user types.
      if (c.name.startsWith('project:') && seen.has(c.name.slice('project:'.length))) continue;
      add({ name: c.name, description: c.description, ...(c.argumentHint ? { argument_hint: c.argumentHint } : {}), source: 'cli' });
    }
    return out;
  }

  /** Ends every live session of a user (disabled): their turns stop, their processes go. */
  async endSessionsOf(userId: string): Promise<number> {
    const live = this.manager.liveSessionsOf(userId);
    await Promise.all(live.map((s) => this.manager.destroy(s, 'user_disabled', USER_DISABLED, null).catch(() => undefined)));
    return live.length;
  }

  /**
   * Readiness: whether a new session could be given a process now. With the pool on
   * (`poolSize` > 0), ready also means a warm process can be handed out now.
   */
  readiness(pool: { size: number; depth: number }): {
    activeSessions: number;
    notReady: 'shutting_down' | 'at_capacity' | 'pool_empty' | null;
  } {
    const activeSessions = this.manager.activeCount;
    if (this.manager.isShuttingDown) return { activeSessions, notReady: 'shutting_down' };
    if (!this.manager.canAdmit()) return { activeSessions, notReady: 'at_capacity' };
    if (pool.size > 0 && pool.depth === 0) return { activeSessions, notReady: 'pool_empty' };
    return { activeSessions, notReady: null };
  }
}
