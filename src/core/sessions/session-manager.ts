// The session life, for every session: create (pool or cold), resume, restart,
// evict, destroy and shutdown, and the turns they serve. Each step tells the
// session what happened; the session decides its next state (session-state.ts).
// Capacity, the registry, the process launcher, the conversations and the CLI
// catalog are its parts; the chat service and the monitor act through it.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import { PlatformError } from '../../protocol/errors.js';
import type { PermissionDecision, QuestionAnswers, RewindFilesResponse, SessionSource, SessionSummary } from '../../protocol/messages.js';
import { checkSessionLimit } from '../accounting/user-limits.js';
import type { CliCatalog } from '../agent-policy/catalog.js';
import { answerRequest, changeOptions, checkMode } from '../agent-policy/session-options.js';
import { type PreparedMessage, refsWithIds } from '../conversations/attachments.js';
import type { Conversations } from '../conversations/conversations.js';
import { rewindFiles } from '../conversations/rewind.js';
import { configDirOf } from '../jail/config-dirs.js';
import type { Capacity } from './capacity.js';
import { type CreateContext, startSession } from './create-session.js';
import type { SessionLifecycleEvents } from './lifecycle-events.js';
import type { OrderedWrites } from './ordered-writes.js';
import type { WarmProcessSource } from './prewarm-pool.js';
import type { ProcessLauncher, ProcessStarter, SessionOptions } from './process-launcher.js';
import type { Resumes } from './resume-session.js';
import { Session, type SessionHost } from './session.js';
import type { SessionList } from './session-list.js';
import { type SessionManagerDeps, sessionParts } from './session-parts.js';
import type { SessionRegistry } from './session-registry.js';
import { liveSessionViews, type SessionView } from './session-view.js';

export type { AttachmentFile } from '../conversations/conversations.js';
export type { SessionOptions } from './process-launcher.js';
export type { SessionManagerDeps } from './session-parts.js';
export type { SessionView } from './session-view.js';

const INTERRUPT_SETTLE_MS = 2000;

export class SessionManager extends EventEmitter<SessionLifecycleEvents> {
  /** The sessions in memory (a terminated one leaves after the reconnect window). */
  readonly registry: SessionRegistry;
  private readonly capacity: Capacity;
  readonly launcher: ProcessLauncher;
  private readonly starter: ProcessStarter;
  readonly catalog: CliCatalog;
  readonly conversations: Conversations;
  readonly lists: SessionList;
  private readonly resumes: Resumes;
  /** Each session's row and turn writes, in order (awaited before a delete and at shutdown). */
  readonly writes: OrderedWrites;
  /** Creates in flight, by user: counted against the user's session limit before their session exists. */
  private readonly creating = new Map<string, number>();
  private pool: WarmProcessSource | null = null;
  private shuttingDown = false;
  private readonly config: Config;
  private readonly log: Logger;
  private readonly host: SessionHost;
  private readonly createContext: CreateContext;

  constructor(private readonly deps: SessionManagerDeps) {
    super();
    this.config = deps.config;
    this.log = deps.log;
    const parts = sessionParts(deps, {
      events: this,
      restart: (s, reason, graceMs) => this.restart(s, reason, graceMs),
      reserve: (id) => this.reserve(id),
      openSessionsOf: (id) => this.openSessionsOf(id),
      pool: () => this.pool,
      shuttingDown: () => this.shuttingDown,
    });
    ({
      capacity: this.capacity,
      writes: this.writes,
      conversations: this.conversations,
      host: this.host,
      registry: this.registry,
      lists: this.lists,
      launcher: this.launcher,
      starter: this.starter,
      catalog: this.catalog,
      resumes: this.resumes,
      createContext: this.createContext,
    } = parts);
  }

  setPool(pool: WarmProcessSource): void {
    this.pool = pool;
  }

  /** The folder a session's agent works in: the one recorded at its creation (none: PROJECT_DIR). */
  private cwdOf(s: Session): string {
    return s.record().working_dir ?? this.config.projectDir;
  }

  /**
   * After a restart: sessions the last run left open are stored terminated and
   * resumable, and CLI processes it spawned that still run are ended.
   */
  async recoverFromPreviousRun(): Promise<void> {
    const open = await this.deps.repo.listActive(); // on PostgreSQL, only those this replica left open (REPLICA_ID)
    for (const m of this.deps.replicas ? await this.deps.replicas.leftHere(open) : open) new Session(m, this.host).leftByLastRun();
    await this.writes.settled();
    await this.launcher.endLeftovers();
  }

  // ------------------------------------------------------------ queries

  /** Sessions holding a capacity slot (a live process, or one starting). */
  get activeCount(): number {
    return this.capacity.used;
  }

  get liveProcessCount(): number {
    return this.count((s) => s.hasLiveProcess);
  }

  get dormantCount(): number {
    return this.count((s) => s.state === 'dormant');
  }

  private count(pred: (s: Session) => boolean): number {
    let n = 0;
    for (const s of this.registry.values()) if (pred(s)) n++;
    return n;
  }

  /** Whether a new session could get a process now. */
  canAdmit(): boolean {
    return this.capacity.canAdmit(this.registry.values());
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** CLI pids this server owns (the monitor treats every other marked process as an orphan). */
  ownedPids(): number[] {
    return this.launcher.ownedPids();
  }

  /** Read-only views of the sessions with a live process, for the monitor. */
  liveSessions(): SessionView[] {
    return liveSessionViews(this.registry.values());
  }

  /** A user's sessions held in memory that are not terminated (they may have a process or a turn). */
  liveSessionsOf(userId: string): Session[] {
    return [...this.registry.values()].filter((s) => s.ownerId === userId && s.state !== 'terminated');
  }

  /** Sessions of a user that are open (not terminated): what the user's session limit counts. */
  openSessionsOf(userId: string): number {
    return this.liveSessionsOf(userId).length + (this.creating.get(userId) ?? 0);
  }

  /** A session in memory, or loaded from the database (terminated ones included). */
  find(id: string): Promise<Session | undefined> {
    return this.registry.get(id);
  }

  /** The session a pending permission request belongs to. */
  sessionOfRequest(requestId: string): Session | undefined {
    for (const s of this.registry.values()) if (s.permissions.has(requestId)) return s;
    return undefined;
  }

  // ------------------------------------------------------------ capacity

  /** A slot for `id`; when full (eviction on) the least recently used idle session goes dormant to make room. */
  private reserve(id: string): void {
    if (this.shuttingDown) throw new PlatformError('shutting_down');
    this.capacity.reserve(
      id,
      () => this.registry.values(),
      (victim) => {
        this.log.info({ session_id: victim.id, pid: victim.proc?.pid }, 'releasing an idle session to make room');
        victim.evict();
      },
    );
  }

  // ------------------------------------------------------------ the session life

  /**
   * Creates a session owned by `ownerId`, within the owner's session limit: a warm
   * process from the pool when one is there (and the session works in PROJECT_DIR,
   * where the pool's processes run), else a cold start (onCold is told first, with
   * the estimate in seconds).
   */
  async createSession(
    ownerId: string,
    opts: { onCold?: ((estimatedSeconds: number) => void) | undefined; options?: SessionOptions | undefined } = {},
  ): Promise<{ session: Session; source: SessionSource }> {
    const options = opts.options ?? {};
    checkMode(options.permission_mode, this.config.permissionMode);
    const max = (await this.deps.limits?.sessionLimit(ownerId)) ?? null;
    // Counted in the same step as the check: two creates at once cannot both take the last place.
    checkSessionLimit(max, this.openSessionsOf(ownerId));
    this.creating.set(ownerId, (this.creating.get(ownerId) ?? 0) + 1);
    try {
      return await startSession(this.createContext, ownerId, opts.onCold, options);
    } finally {
      const n = (this.creating.get(ownerId) ?? 1) - 1;
      if (n > 0) this.creating.set(ownerId, n);
      else this.creating.delete(ownerId);
    }
  }

  /** A live process for the session, resuming its conversation if it has none. Concurrent callers share one start. */
  ensureProcess(s: Session): Promise<void> {
    return this.resumes.ensure(s);
  }

  /** The session's CLI transcript file (the workspace reads its file checkpoints there). */
  transcriptFile(id: string): Promise<string | undefined> {
    return this.conversations.history.transcriptPath(id);
  }

  /** Throws the error a new message to this session would get, before anything is sent (the budget asked once). */
  async checkCanSend(s: Session): Promise<void> {
    const check = () => {
      if (s.turn) throw new PlatformError('query_in_progress');
      if (!s.hasLiveProcess && !s.isResumable) throw new PlatformError('session_unavailable');
    };
    check();
    await this.deps.limits?.checkTurn(s.ownerId);
    check(); // a message may have started a turn while the budget was read
  }

  /**
   * Starts a turn on a session checkCanSend accepted. Frames stream through the 'event' emitter;
   * resolves when the turn ends.
   */
  async sendMessage(s: Session, msg: { text: string; prepared?: PreparedMessage | undefined }): Promise<void> {
    if (s.turn) throw new PlatformError('query_in_progress');
    const { text, prepared } = msg;
    // Claim the turn before any await so a second message cannot slip in.
    const messageId = randomUUID();
    const turn = s.startTurn(text, prepared && refsWithIds(prepared, messageId), messageId);
    if (prepared?.blocks.length)
      this.deps.attachments?.save(s.ownerId, s.id, messageId, [{ type: 'text', text }, ...prepared.blocks] as never[]);
    try {
      await this.ensureProcess(s);
      const proc = s.proc;
      if (!proc) throw new Error('no process');
      if (prepared && prepared.blocks.length > 0) proc.send(text, prepared.blocks, messageId);
      else proc.send(this.deps.rewriteText?.(text) ?? text, [], messageId);
    } catch (e) {
      const err = e instanceof PlatformError ? e : new PlatformError('internal_error', (e as Error).message);
      if (s.turn === turn)
        s.failTurn(err.message, err.code === 'capacity_exceeded' || err.code === 'shutting_down' ? 'retry' : 'new_session');
      throw err;
    }
    await turn.done;
  }

  /** Idempotent; the turn ends within INTERRUPT_SETTLE_MS whatever the CLI does. */
  interrupt(s: Session): Promise<void> {
    return s.interrupt(INTERRUPT_SETTLE_MS, () =>
      this.log.warn({ session_id: s.id }, 'interrupt did not settle: ending the process, the next message resumes'),
    );
  }

  /** Answers a pending request (see answerRequest); false when there is none by that id. */
  answerPermission(
    s: Session,
    requestId: string,
    decision: PermissionDecision,
    extras: { answers?: QuestionAnswers; message?: string },
  ): boolean {
    return answerRequest(s, requestId, decision, extras, this.config.permissionMode);
  }

  /** Changes a session's model and/or permission mode between turns. */
  setOptions(s: Session, opts: SessionOptions): Promise<SessionSummary> {
    return changeOptions(s, opts, { server: this.config.permissionMode, checkModel: (m) => this.catalog.checkModel(m) });
  }

  /**
   * A new session with the conversation of `src` (before `messageId` when given), from a copy of
   * its transcript: the original is unchanged. The fork has no process until it is used.
   */
  async fork(src: Session, ownerId: string, messageId?: string): Promise<Session> {
    // The fork works in its original's folder: the CLI finds a transcript by its working folder.
    const cwd = this.cwdOf(src);
    const meta = await this.conversations.fork(src, ownerId, cwd, messageId);
    await this.deps.workspaces?.record(meta.session_id, cwd);
    // The new transcript is on this disk only: the other replicas read it from the store.
    await this.deps.transcripts?.prepare(meta.session_id, configDirOf(this.config, ownerId)).catch(() => undefined);
    const fork = new Session(meta, this.host, 'creating');
    this.registry.add(fork);
    fork.forked();
    this.log.info({ session_id: fork.id, from: src.id, at: messageId }, 'session forked');
    return fork;
  }

  /** Restores (or with dryRun previews) the files the agent changed after a user message. */
  rewindFiles(s: Session, messageId: string, dryRun: boolean): Promise<RewindFilesResponse> {
    const c = this.config;
    const scope = {
      workspace: this.cwdOf(s),
      projectDir: c.projectDir,
      databasePath: c.databasePath,
      claudeConfigDir: c.claudeConfigDir,
    };
    return rewindFiles(s, { messageId, dryRun }, { enabled: c.fileCheckpointing, ensureProcess: (x) => this.ensureProcess(x), scope });
  }

  /** Replaces the process with a fresh one resumed on the same conversation, keeping its slot. */
  async restart(s: Session, reason: 'memory_limit', graceMs = 0): Promise<void> {
    if (!s.restartRequested(reason)) return;
    try {
      await s.stopProcess();
      if (s.state !== 'restarting') return; // destroyed meanwhile
      await this.ensureProcess(s);
      s.memoryGrace(graceMs);
      this.log.info({ session_id: s.id, pid: s.proc?.pid, reason }, 'session restarted');
    } catch (e) {
      this.log.error({ err: e, session_id: s.id }, 'restart failed; the next message retries');
      if (s.state === 'restarting') s.resumeFailed(false);
    }
  }

  /** Memory over the limit. Mid-turn the restart waits for the turn's end, unless `force` (twice the limit). */
  async restartForMemory(id: string, rssMb: number, force: boolean): Promise<void> {
    const s = this.registry.peek(id);
    if (!s?.hasLiveProcess) return;
    if (s.turn && !force) {
      s.restartAfterThisTurn('memory_limit');
      return;
    }
    s.failTurn(
      `The session used too much memory (${rssMb} MB, limit ${this.config.maxSessionRssMb} MB) and is restarting. Send your message again: the conversation is kept.`,
      'retry',
    );
    await this.restart(s, 'memory_limit', this.config.memoryRestartGraceSeconds * 1000);
  }

  /** Monitor: the session will reach its duration limit soon. */
  warnDuration(id: string, remainingSeconds: number, message: string): void {
    this.registry.peek(id)?.warnDuration(remainingSeconds, message);
  }

  /**
   * Ends a session: its process tree goes, the row stays (terminated, resumable).
   * `actorUserId`: who asked (null: the server itself, e.g. the monitor).
   */
  async destroy(s: Session, reason: string, message: string, actorUserId: string | null): Promise<SessionSummary> {
    await s.destroy(reason, message);
    this.emit('ended', { session_id: s.id, user_id: s.ownerId, reason, actor_user_id: actorUserId });
    this.log.info({ session_id: s.id, reason }, 'session terminated');
    this.registry.touch(s);
    return s.summary();
  }

  /** The monitor's way to end a session it found over a limit. */
  async destroyById(id: string, reason: string, message: string): Promise<void> {
    const s = await this.registry.get(id);
    if (s) await this.destroy(s, reason, message, null);
  }

  /** Reads, in the background, the transcripts of sessions stored before their copy existed. */
  backfillHistory(): Promise<number> {
    return this.conversations.backfill(() => this.shuttingDown);
  }

  /** Graceful: waits for turns in flight (up to graceMs), then ends every process tree. */
  async shutdown(graceMs: number): Promise<void> {
    this.shuttingDown = true;
    const sessions = [...this.registry.values()];
    const turns = sessions.map((s) => s.turn?.done).filter(Boolean);
    if (turns.length > 0 && graceMs > 0) {
      this.log.info({ turns: turns.length }, 'waiting for turns in flight');
      await Promise.race([Promise.all(turns), new Promise((r) => setTimeout(r, graceMs))]);
    }
    await Promise.all(sessions.map((s) => s.serverStopped()));
    await Promise.all([this.writes.settled(), this.launcher.recordsSettled()]);
    this.capacity.clear();
    this.registry.clear();
  }
}
