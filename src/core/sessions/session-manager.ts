// The owner of every session and, through them, every CLI process: creation (pool
// or cold), turns, interrupt, resume, restart, release (dormant), destroy and
// shutdown. The chat service and the monitor act on sessions only through it.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import type { CanUseTool, ModelInfo, SlashCommand } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { ListCursor, SessionMetadata, SessionRepository } from '../../db/session-repository.js';
import { PlatformError } from '../../protocol/errors.js';
import type {
  Attachment,
  HistoryMessage,
  PermissionDecision,
  QuestionAnswers,
  RewindFilesResponse,
  SessionDetailResponse,
  SessionPermissionMode,
  SessionSource,
  SessionSummary,
} from '../../protocol/messages.js';
import type { Metrics } from '../accounting/metrics.js';
import type { PermissionDecided } from '../agent-policy/permissions.js';
import { QUESTION_TOOLS } from '../agent-policy/permissions.js';
import { planFromToolCalls } from '../agent-policy/plan-file.js';
import { checkRewindScope, type RewindScope } from '../agent-policy/rewind-guard.js';
import { ClaudeProcess, type SpawnRecord } from '../cli/claude-process.js';
import { buildCliOptions, cliPermissionMode, type ExtensionOptions } from '../cli/cli-options.js';
import { isAlive, killTree, procInfo, snapshotAsync, treeRss } from '../cli/process-tree.js';
import type { AttachmentStore } from '../conversations/attachment-store.js';
import { attachmentContent, type PreparedMessage, prepareMessage } from '../conversations/attachments.js';
import { History, type HistoryPage } from '../conversations/history.js';
import { forkTitle } from '../conversations/titles.js';
import { BUILTIN_ADMIN, configDirOf } from '../jail/config-dirs.js';
import { sessionPlacement } from '../jail/session-jail.js';
import type { Workspaces } from '../workspace/workspaces.js';
import { Capacity } from './capacity.js';
import { type BufferedEvent, Session, type SessionHost, summaryOf } from './session.js';
import { SessionRegistry } from './session-registry.js';
import type { SessionState } from './session-state.js';

const INTERRUPT_SETTLE_MS = 2000;

/** A session's own choices; undefined fields keep what it has (or the server's defaults). */
export interface SessionOptions {
  model?: string | undefined;
  permission_mode?: SessionPermissionMode | undefined;
}

/** What the CLI offers, read from a running process (its init answer). */
export interface Catalog {
  models: ModelInfo[];
  commands: SlashCommand[];
}

/** Hands out already-started processes (the pre-warm pool implements it). */
export interface WarmProcessSource {
  take(): ClaudeProcess | undefined;
  depth(): number;
}

/** An attachment to serve: a stream from the store, or bytes read back from the transcript. */
export interface AttachmentFile {
  mediaType: string;
  bytes?: Buffer;
  stream?: Readable;
}

export interface SessionManagerDeps {
  config: Config;
  repo: SessionRepository;
  log: Logger;
  modelBaseUrl: string | undefined;
  extensions: () => ExtensionOptions;
  /** Maps what the user typed to what the CLI gets (project commands: `/x` -> `/project:x`). */
  rewriteText?: (text: string) => string;
  metrics?: Pick<Metrics, 'turns' | 'userTurn'>;
  /** Per-user limits: asked before a turn (budget) and before a session gets a process (live sessions). */
  limits?: {
    checkTurn(userId: string): void;
    checkCreate(userId: string, live: number): void;
  };
  /** Each session's working folder (WORKSPACES); without it every session works in PROJECT_DIR. */
  /** Where sent attachments are kept and served from (per user, in the data folder). */
  attachments?: Pick<AttachmentStore, 'save' | 'open'>;
  workspaces?: Pick<Workspaces, 'forNewSession' | 'record' | 'cwdOf' | 'othersOf'>;
}

export interface SessionManagerEvents {
  event: [BufferedEvent];
  updated: [SessionSummary];
  /** A new session is ready: how it was served and how long it took (metrics listen). */
  created: [{ session_id: string; source: SessionSource; seconds: number; cwd: string }];
  /** A session was ended through destroy(); actor_user_id null: by the server itself. */
  ended: [{ session_id: string; user_id: string; reason: string; actor_user_id: string | null }];
  /** A session without a process got one again, on its conversation (the audit log listens). */
  resumed: [{ session_id: string; user_id: string }];
  /** A tool call was decided; user_id is the session's owner, the only one who can answer it. */
  permission: [PermissionDecided & { session_id: string; user_id: string }];
}

/** What the monitor may read of a live session: no way to change it. */
export interface SessionView {
  readonly id: string;
  readonly pid: number;
  readonly runStartedAt: number;
  readonly lastUserMessageAt: number;
  readonly memoryGraceUntil: number;
  readonly warnedDuration: boolean;
  readonly turnInFlight: boolean;
}

export class SessionManager extends EventEmitter<SessionManagerEvents> {
  private readonly registry: SessionRegistry;
  private readonly capacity: Capacity;
  /** Every CLI pid we have spawned and not yet seen exit (sessions, pool, starts in flight). */
  private readonly spawned = new Set<number>();
  /** Process starts in flight, by session id: concurrent callers share one. */
  private readonly starting = new Map<string, Promise<void>>();
  /** Creates in flight, by user: counted against the user's session limit before their session exists. */
  private readonly creating = new Map<string, number>();
  private pool: WarmProcessSource | null = null;
  private shuttingDown = false;
  /** Measured cold starts (ms), for session_creating's estimate. */
  private readonly coldStarts: number[] = [];
  private readonly config: Config;
  private readonly repo: SessionRepository;
  private readonly log: Logger;
  private readonly host: SessionHost;
  private readonly history_: History;

  constructor(private readonly deps: SessionManagerDeps) {
    super();
    this.config = deps.config;
    this.repo = deps.repo;
    this.log = deps.log;
    this.capacity = new Capacity(() => this.config.maxSessions, this.config.sessionEviction);
    this.history_ = new History({
      configDirOf: (id) => configDirOf(this.config, this.repo.get(id)?.user_id ?? BUILTIN_ADMIN),
      projectDir: this.config.projectDir,
      store: this.repo.history,
      turnsOf: (id) => this.repo.turnsOf(id),
    });
    this.host = {
      publish: (ev) => this.emit('event', ev),
      save: (row) => this.repo.save(row),
      announce: (summary) => this.emit('updated', summary),
      turnEnded: (s, turn, r) => {
        this.repo.recordTurn({
          session_id: s.id,
          started_at: new Date(turn.startedAt).toISOString(),
          ended_at: new Date().toISOString(),
          outcome: r.outcome,
          cost_usd: r.cost_usd,
          turn_count: r.turn_count,
          context_tokens: r.context_tokens ?? null,
          context_window: r.context_window ?? null,
        });
        this.deps.metrics?.turns.inc({ outcome: r.outcome });
        this.deps.metrics?.userTurn(s.record().user_id, r.cost_usd);
        // The stored copy (search, pages, export) catches up with the finished turn, off the turn's path;
        // once more a moment later, for transcript lines the CLI writes after its result.
        void this.history_.sync(s.id);
        setTimeout(() => void this.history_.sync(s.id), 1000).unref();
        if (s.restartAfterTurn) {
          s.restartAfterTurn = null;
          // after the turn has fully ended (its state move included)
          setImmediate(() => void this.restart(s, 'memory_limit', this.config.memoryRestartGraceSeconds * 1000));
        }
      },
      processGone: (s, proc, reason, expected) => {
        if (!this.starting.has(s.id) && s.state !== 'restarting') this.capacity.release(s.id);
        if (!expected) this.log.warn({ session_id: s.id, pid: proc.pid, reason }, 'claude process died');
      },
      permissionDecided: (s, d) => this.emit('permission', { ...d, session_id: s.id, user_id: s.record().user_id }),
      permissionTimeoutMs: this.config.permissionTimeoutSeconds * 1000,
      projectDir: this.config.projectDir,
      cwdOf: (sessionId) => this.deps.workspaces?.cwdOf(sessionId) ?? this.config.projectDir,
    };
    this.registry = new SessionRegistry((id) => {
      const m = this.repo.get(id);
      return m ? new Session(m, this.host) : undefined;
    });
  }

  setPool(pool: WarmProcessSource): void {
    this.pool = pool;
  }

  /**
   * After a restart: sessions the last run left open are stored terminated and
   * resumable, and CLI processes it spawned that still run are ended.
   */
  async recoverFromPreviousRun(): Promise<void> {
    for (const m of this.repo.listActive()) this.repo.markTerminated(m.session_id, 'server_restart', m.is_resumable);
    for (const p of this.repo.spawnedProcesses()) {
      const info = procInfo(p.pid);
      if (info && info.startTime === p.start_time && isAlive(p.pid)) {
        this.log.warn({ pid: p.pid, session_id: p.session_id }, 'ending CLI process left by an earlier server run');
        await killTree(p.pid);
      }
      this.repo.forgetProcess(p.pid, p.start_time);
    }
  }

  // ------------------------------------------------------------ queries

  /** Sessions holding a capacity slot (a live process, or one starting). */
  get activeCount(): number {
    return this.capacity.used;
  }

  get liveProcessCount(): number {
    let n = 0;
    for (const s of this.registry.values()) if (s.hasLiveProcess) n++;
    return n;
  }

  get dormantCount(): number {
    let n = 0;
    for (const s of this.registry.values()) if (s.state === 'dormant') n++;
    return n;
  }

  /** Whether a new session could get a process now. */
  canAdmit(): boolean {
    return this.capacity.canAdmit(this.registry.values());
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** How long a terminated session stays in memory for reconnecting clients. */
  get terminatedRetentionMs(): number {
    return this.registry.retentionMs;
  }

  set terminatedRetentionMs(ms: number) {
    this.registry.retentionMs = ms;
  }

  /** Whether a session is held in memory (not only in the database). */
  isLoaded(id: string): boolean {
    return this.registry.has(id);
  }

  /** Told when a terminated session leaves memory. */
  onForgotten(fn: (id: string) => void): void {
    this.registry.on('forgotten', fn);
  }

  offForgotten(fn: (id: string) => void): void {
    this.registry.off('forgotten', fn);
  }

  /** CLI pids this server owns (the monitor treats every other marked process as an orphan). */
  ownedPids(): number[] {
    return [...this.spawned];
  }

  /** Read-only views of the sessions with a live process, for the monitor. */
  liveSessions(): SessionView[] {
    const out: SessionView[] = [];
    for (const s of this.registry.values()) {
      const pid = s.proc?.pid;
      if (!s.hasLiveProcess || pid == null) continue;
      out.push({
        id: s.id,
        pid,
        runStartedAt: s.runStartedAt,
        lastUserMessageAt: s.lastUserMessageAt,
        memoryGraceUntil: s.memoryGraceUntil,
        warnedDuration: s.warnedDuration,
        turnInFlight: s.turn !== null,
      });
    }
    return out;
  }

  /** Every session, newest first; only one user's with `userId`. */
  list(userId?: string): SessionSummary[] {
    const live = new Map<string, SessionSummary>();
    for (const s of this.registry.values()) live.set(s.id, s.summary());
    return this.repo.listAll(userId).map((m) => live.get(m.session_id) ?? summaryOf(m));
  }

  /** A user's sessions held in memory that are not terminated (they may have a process or a turn). */
  liveSessionsOf(userId: string): Session[] {
    return [...this.registry.values()].filter((s) => s.ownerId === userId && s.state !== 'terminated');
  }

  /** A page of the list, newest first, after `cursor`; one user's only with `userId`. */
  listPage(opts: { limit: number; cursor?: ListCursor; userId?: string }): { sessions: SessionSummary[]; next: ListCursor | null } {
    const rows = this.repo.listPage({ ...opts, limit: opts.limit + 1 });
    const more = rows.length > opts.limit;
    const page = rows.slice(0, opts.limit);
    const last = page.at(-1);
    return {
      sessions: page.map((m) => this.liveSummary(m)),
      next: more && last ? { last_active_at: last.last_active_at, session_id: last.session_id } : null,
    };
  }

  /** Sessions whose title or a message matches `q`, newest first, with a snippet of the match. */
  async search(q: string, opts: { limit: number; userId?: string }): Promise<(SessionSummary & { snippet?: string })[]> {
    await this.history_.settled();
    const hits = this.repo.history.search(q);
    return this.repo.listOf([...hits.keys()], opts).map((m) => {
      const row = hits.get(m.session_id);
      const snippet = row === undefined ? undefined : this.repo.history.snippet(q, row);
      return { ...this.liveSummary(m), ...(snippet ? { snippet } : {}) };
    });
  }

  /** The summary of a stored row, from its session in memory when it is there (fresher). */
  private liveSummary(m: SessionMetadata): SessionSummary {
    return this.registry.peek(m.session_id)?.summary() ?? summaryOf(m);
  }

  /** A session in memory, or loaded from the database (terminated ones included). */
  find(id: string): Session | undefined {
    return this.registry.get(id);
  }

  get(id: string): Session {
    const s = this.find(id);
    if (!s) throw new PlatformError('not_found');
    return s;
  }

  /** The summary plus its process and memory; /proc is read without blocking the event loop. */
  async detail(id: string): Promise<SessionDetailResponse> {
    const s = this.get(id);
    const pid = s.hasLiveProcess ? (s.proc?.pid ?? null) : null;
    const rss_mb = pid === null ? null : Math.round((treeRss(pid, await snapshotAsync()) / 1048576) * 10) / 10;
    return { ...s.summary(), subprocess_pid: pid, rss_mb };
  }

  /** Records how long a CLI start took (cold starts and pool refills alike). */
  recordStartTime(ms: number): void {
    this.coldStarts.push(ms);
    if (this.coldStarts.length > 20) this.coldStarts.shift();
  }

  estimatedColdStartSeconds(): number {
    if (this.coldStarts.length === 0) return 2;
    const sorted = [...this.coldStarts].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 2000;
    return Math.max(1, Math.ceil(median / 1000));
  }

  // ------------------------------------------------------------ capacity

  /** A slot for `id`; when full (eviction on) the least recently used idle session goes dormant to make room. */
  private reserve(id: string): void {
    if (this.shuttingDown) throw new PlatformError('shutting_down');
    this.capacity.reserve(
      id,
      () => this.registry.values(),
      (victim) => this.makeDormant(victim),
    );
  }

  /** Releases an idle session's process; the session stays listed and resumes on its next message. */
  private makeDormant(s: Session): void {
    this.log.info({ session_id: s.id, pid: s.proc?.pid }, 'releasing an idle session to make room');
    void s.releaseProcess();
    s.dropEvents();
    s.transition('dormant', 'capacity');
  }

  private canUseToolFor(sessionId: string): CanUseTool {
    return async (tool, input, { signal, suggestions, suppressAlwaysAllowRule }) => {
      const s = this.registry.get(sessionId);
      const mode = s?.options.permissionMode ?? this.config.permissionMode;
      // A question or a plan always waits for the user: "allow everything" cannot answer it.
      const asks = QUESTION_TOOLS.has(tool);
      if (mode === 'bypassPermissions' && !asks) {
        if (s) this.emit('permission', { tool, input, outcome: 'by_mode', session_id: s.id, user_id: s.record().user_id });
        return { behavior: 'allow', updatedInput: input };
      }
      if (!s) return { behavior: 'deny', message: 'Session is gone' };
      const shown = tool === 'ExitPlanMode' ? await this.withPlan(s, input) : input;
      return s.permissions.request(tool, input, signal, shown, { suggestions, suppressAlwaysAllowRule });
    };
  }

  /**
   * ExitPlanMode's input, with the plan to show: the CLI strips the model's own `plan` field and
   * keeps the plan in the file the agent wrote this turn; without one, the turn's text is the plan.
   */
  private async withPlan(s: Session, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (typeof input.plan === 'string' && input.plan.trim()) return input;
    const turn = s.turn;
    const calls = (turn ? (s.eventsAfter(turn.startEventId) ?? []) : []).flatMap((ev) =>
      ev.type === 'tool_use' ? [{ tool: ev.tool, input: ev.input }] : [],
    );
    const fromFile = await planFromToolCalls(configDirOf(this.config, s.record().user_id), calls);
    return { ...input, plan: fromFile ?? turn?.translator.text ?? '' };
  }

  /** Starts a CLI process for a session id (new, or resumed). Used by the pool too (server defaults). */
  /**
   * Starts a CLI process for a session id (new, or resumed) in `cwd` (PROJECT_DIR when not given), with the
   * session's own options (none: the server's defaults). Used by the pool too.
   */
  async startProcess(
    sessionId: string,
    resume: boolean,
    cwd = this.config.projectDir,
    opts: SessionOptions = {},
    ownerId = BUILTIN_ADMIN,
  ): Promise<ClaudeProcess> {
    const extensions = this.deps.extensions();
    const pluginDirs = (extensions.options.plugins ?? []).map((p) => p.path);
    const { configDir, jail } = sessionPlacement(this.config, { cwd, ownerId, pluginDirs });
    const sdkOptions = buildCliOptions({
      config: this.config,
      modelBaseUrl: this.deps.modelBaseUrl,
      extensions,
      sessionId,
      resume,
      canUseTool: this.canUseToolFor(sessionId),
      cwd,
      otherWorkspaces: this.deps.workspaces?.othersOf(cwd) ?? [],
      model: opts.model,
      permissionMode: opts.permission_mode,
      configDir,
      jailed: jail !== undefined,
    });
    return ClaudeProcess.start({
      sdkOptions,
      ...(jail ? { jail } : {}),
      initializeTimeoutMs: this.config.prewarmTimeoutSeconds * 1000,
      logger: this.log.child({ session_id: sessionId }),
      onSpawn: (r: SpawnRecord) => {
        this.spawned.add(r.pid);
        this.repo.rememberProcess(r.pid, r.startTime, sessionId);
      },
      onExit: (r: SpawnRecord) => {
        this.spawned.delete(r.pid);
        this.repo.forgetProcess(r.pid, r.startTime);
      },
    });
  }

  // ------------------------------------------------------------ lifecycle

  /**
   * Creates a session owned by `ownerId`, within the owner's session limit: a warm
   * process from the pool when one is there (and the session works in PROJECT_DIR,
   * where the pool's processes run), else a cold start (onCold is told first, with
   * the estimate in seconds).
   */
  async createSession(
    ownerId: string,
    onCold?: (estimatedSeconds: number) => void,
    opts: SessionOptions = {},
  ): Promise<{ session: Session; source: SessionSource }> {
    this.checkMode(opts.permission_mode);
    this.deps.limits?.checkCreate(ownerId, this.openSessionsOf(ownerId));
    this.creating.set(ownerId, (this.creating.get(ownerId) ?? 0) + 1);
    try {
      return await this.startSession(ownerId, onCold, opts);
    } finally {
      const n = (this.creating.get(ownerId) ?? 1) - 1;
      if (n > 0) this.creating.set(ownerId, n);
      else this.creating.delete(ownerId);
    }
  }

  private async startSession(
    ownerId: string,
    onCold?: (estimatedSeconds: number) => void,
    opts: SessionOptions = {},
  ): Promise<{ session: Session; source: SessionSource }> {
    const createStart = performance.now();
    const cwd = this.deps.workspaces?.forNewSession(ownerId) ?? this.config.projectDir;
    const provisional = randomUUID();
    this.reserve(provisional);
    let proc: ClaudeProcess | undefined;
    let source: SessionSource = 'pre-warmed';
    try {
      if (opts.model !== undefined) await this.checkModel(opts.model);
    } catch (e) {
      this.capacity.release(provisional);
      throw e;
    }
    try {
      // Warm processes are the built-in admin's (its config folder, PROJECT_DIR): other users start cold.
      if (cwd === this.config.projectDir && ownerId === BUILTIN_ADMIN) proc = this.pool?.take();
      if (!proc) {
        source = 'cold';
        onCold?.(this.estimatedColdStartSeconds());
        const t0 = Date.now();
        proc = await this.startProcess(provisional, false, cwd, opts, ownerId);
        this.recordStartTime(Date.now() - t0);
      }
    } catch (e) {
      this.capacity.release(provisional);
      this.log.error({ err: e }, 'session start failed');
      throw new PlatformError('internal_error', `Could not start a Claude process: ${(e as Error).message}`);
    }
    const id = proc.cliSessionId ?? provisional;
    this.capacity.rename(provisional, id);
    if (this.shuttingDown) {
      this.capacity.release(id);
      await proc.stop();
      throw new PlatformError('shutting_down');
    }
    this.deps.workspaces?.record(id, cwd);
    const now = new Date().toISOString();
    const meta: SessionMetadata = {
      session_id: id,
      user_id: ownerId,
      status: 'creating',
      created_at: now,
      last_active_at: now,
      subprocess_pid: proc.pid,
      message_count: 0,
      total_cost_usd: 0,
      is_resumable: true,
      terminated_reason: null,
      title: null,
      model: opts.model ?? null,
      permission_mode: opts.permission_mode ?? this.config.permissionMode,
      working_dir: cwd,
    };
    const session = new Session(meta, this.host, 'creating');
    this.registry.add(session);
    session.adopt(proc, false);
    if (source === 'pre-warmed') {
      // Pool processes start with the server's defaults: the session's own choices before its first message.
      try {
        await this.applyOptions(proc, opts);
      } catch (e) {
        this.log.warn({ err: e, session_id: id }, 'could not apply the session options to a warm process');
      }
    }
    session.transition('ready', 'created');
    this.log.info({ session_id: id, pid: proc.pid, source }, 'session created');
    this.emit('created', { session_id: id, source, seconds: (performance.now() - createStart) / 1000, cwd });
    return { session, source };
  }

  /** A live process for the session, resuming its conversation if it has none. Concurrent callers share one start. */
  private ensureProcess(s: Session): Promise<void> {
    if (s.hasLiveProcess) return Promise.resolve();
    let p = this.starting.get(s.id);
    if (!p) {
      p = this.resume(s).finally(() => this.starting.delete(s.id));
      this.starting.set(s.id, p);
    }
    return p;
  }

  private async resume(s: Session): Promise<void> {
    if (s.state === 'terminated' && !s.isResumable) throw new PlatformError('session_unavailable');
    const prev = s.state;
    // A terminated session coming back opens one more of the user's sessions.
    if (prev === 'terminated') this.deps.limits?.checkCreate(s.record().user_id, this.openSessionsOf(s.record().user_id));
    this.reserve(s.id);
    if (prev !== 'restarting') s.transition('resuming', 'resume');
    try {
      await s.whenReleased();
      let proc: ClaudeProcess;
      try {
        proc = await this.startProcess(
          s.id,
          await this.hasConversation(s),
          this.deps.workspaces?.cwdOf(s.id),
          { model: s.options.model, permission_mode: s.options.permissionMode },
          s.record().user_id,
        );
      } catch (e) {
        if (/No conversation found/i.test((e as Error).message)) this.resumeFailed(s, (e as Error).message);
        throw e;
      }
      if (s.state !== 'resuming' && s.state !== 'restarting') {
        // ended (destroyed) while its process started: the new process has nobody to serve
        await proc.stop();
        throw new PlatformError('session_unavailable');
      }
      if (prev === 'terminated') s.startRun();
      s.lastUsedAt = Date.now();
      s.adopt(proc, true);
      s.transition(s.turn ? 'active' : 'idle', 'process started');
      this.log.info({ session_id: s.id, pid: proc.pid }, 'session resumed');
      if (prev !== 'restarting') this.emit('resumed', { session_id: s.id, user_id: s.record().user_id });
    } catch (e) {
      this.capacity.release(s.id);
      if (s.state === 'resuming' || s.state === 'restarting')
        s.transition(prev === 'restarting' || prev === 'ready' ? 'idle' : prev, 'resume failed');
      throw e;
    }
  }

  /**
   * Whether a new process must resume the session's conversation. A session whose
   * process ended before its first message (released to make room, restarted,
   * ended by the server) has no transcript and starts fresh under its id; one that
   * had messages resumes, and a lost transcript then fails plainly.
   */
  private async hasConversation(s: Session): Promise<boolean> {
    const earlierMessages = s.summary().message_count - (s.turn ? 1 : 0);
    return earlierMessages > 0 || (await this.history_.hasTranscript(s.id));
  }

  /**
   * The CLI could not restore the conversation ("No conversation found"): the
   * session is stored terminated and not resumable, so nothing retries in a loop.
   */
  private resumeFailed(s: Session, why: string): void {
    this.log.error({ session_id: s.id, reason: why.slice(0, 300) }, 'resume failed');
    s.failTurn('This conversation could not be restored (its transcript is missing). Start a new session to continue.', 'new_session');
    s.terminate('resume_failed', false);
    this.registry.touch(s);
    s.emit({
      type: 'session_terminated',
      reason: 'resume_failed',
      message: 'This conversation could not be restored. Start a new session to continue.',
      resume_url: null,
    });
  }

  /** Resumes a session that has no process (terminated but resumable, dormant, or after a crash). */
  async resumeSession(id: string): Promise<Session> {
    const s = this.get(id);
    await this.ensureProcess(s);
    return s;
  }

  /** Throws the error a new message to this session would get, before anything is sent. */
  checkCanSend(s: Session): void {
    if (s.turn) throw new PlatformError('query_in_progress');
    if (!s.hasLiveProcess && !s.isResumable) throw new PlatformError('session_unavailable');
    this.deps.limits?.checkTurn(s.record().user_id);
  }

  /** Sessions of a user that are open (not terminated): what the user's session limit counts. */
  openSessionsOf(userId: string): number {
    let n = 0;
    for (const s of this.registry.values()) if (s.record().user_id === userId && s.state !== 'terminated') n++;
    return n + (this.creating.get(userId) ?? 0);
  }

  /** Checks a message's attachments against the limits and builds their blocks; throws the error it gets. */
  prepare(text: string, attachments: Attachment[] | undefined): PreparedMessage {
    return prepareMessage(text, attachments, this.config.attachments);
  }

  /** One attachment of the session's stored transcript (`<message uuid>.<block index>`), or null. */
  async attachment(id: string, attachmentId: string): Promise<AttachmentFile | null> {
    const stored = this.deps.attachments?.open(this.get(id).record().user_id, id, attachmentId);
    if (stored) return { mediaType: stored.mediaType, stream: stored.stream };
    // Messages from before the store: read back from the transcript.
    const m = attachmentId.match(/^([0-9a-f-]{36})\.(\d{1,4})$/i);
    if (!m) return null;
    const blocks = await this.history_.userBlocks(id, m[1] as string);
    return attachmentContent(blocks?.[Number(m[2])] as Parameters<typeof attachmentContent>[0]);
  }

  /** Starts a turn. Frames stream through the 'event' emitter; resolves when the turn ends. */
  async sendMessage(id: string, text: string, prepared?: PreparedMessage): Promise<void> {
    const s = this.get(id);
    this.checkCanSend(s);
    // Claim the turn before any await so a second message cannot slip in.
    const messageId = randomUUID();
    const turn = s.startTurn(text, prepared?.refs, messageId);
    if (prepared?.blocks.length)
      this.deps.attachments?.save(s.record().user_id, s.id, messageId, [{ type: 'text', text }, ...prepared.blocks] as never[]);
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
  async interrupt(id: string): Promise<void> {
    const s = this.get(id);
    const turn = s.turn;
    if (!turn || turn.interruptRequested) return;
    turn.interruptRequested = true;
    turn.interruptTimer = setTimeout(() => {
      if (s.turn !== turn) return;
      this.log.warn({ session_id: id }, 'interrupt did not settle: ending the process, the next message resumes');
      s.interruptTurn();
      void s.stopProcess();
    }, INTERRUPT_SETTLE_MS);
    await s.proc?.interrupt(INTERRUPT_SETTLE_MS);
  }

  /** The session a pending permission request belongs to. */
  sessionOfRequest(requestId: string): Session | undefined {
    for (const s of this.registry.values()) if (s.permissions.has(requestId)) return s;
    return undefined;
  }

  /**
   * Answers a pending request. AskUserQuestion gets its answers; approving ExitPlanMode leaves plan
   * mode for the server's default mode (the session's stored mode follows); denying it keeps planning,
   * with the user's message for the agent.
   */
  answerPermission(requestId: string, decision: PermissionDecision, extras: { answers?: QuestionAnswers; message?: string } = {}): boolean {
    const s = this.sessionOfRequest(requestId);
    if (!s) return false;
    const tool = s.permissions.toolOf(requestId);
    if (tool === 'ExitPlanMode' && decision !== 'deny') {
      const next = this.config.permissionMode === 'plan' ? 'default' : this.config.permissionMode;
      const ok = s.permissions.answer(requestId, decision, {
        updatedPermissions: [{ type: 'setMode', mode: cliPermissionMode(next), destination: 'session' }],
      });
      if (ok) s.setOptions({ permissionMode: next });
      return ok;
    }
    const message = extras.message; // the gate words a denial (protocol/decisions.ts)
    return s.permissions.answer(requestId, decision, {
      ...(extras.answers ? { answers: extras.answers } : {}),
      ...(message ? { message } : {}),
    });
  }

  // ------------------------------------------------------------ options and catalog

  /** bypassPermissions only where the server's PERMISSION_MODE is bypassPermissions. */
  private checkMode(mode: SessionPermissionMode | undefined): void {
    if (mode === 'bypassPermissions' && this.config.permissionMode !== 'bypassPermissions')
      throw new PlatformError('mode_not_allowed', undefined, { mode, server: this.config.permissionMode });
  }

  private async checkModel(model: string): Promise<void> {
    const { models } = await this.catalog();
    if (models.length > 0 && !models.some((m) => m.value === model || m.resolvedModel === model))
      throw new PlatformError('invalid_message', `Unknown model: ${model}. GET /api/v1/models lists the available ones.`);
  }

  private async applyOptions(proc: ClaudeProcess, opts: SessionOptions): Promise<void> {
    if (opts.model !== undefined) await proc.setModel(opts.model);
    if (opts.permission_mode !== undefined && cliPermissionMode(opts.permission_mode) !== cliPermissionMode(this.config.permissionMode))
      await proc.setPermissionMode(cliPermissionMode(opts.permission_mode));
  }

  /**
   * Changes a session's model and/or permission mode between turns (refused during one): the
   * live process gets the SDK's setters; a session without one gets them at its next start.
   */
  async setOptions(id: string, opts: SessionOptions): Promise<SessionSummary> {
    const s = this.get(id);
    if (s.turn) throw new PlatformError('query_in_progress');
    if (s.state === 'terminated' && !s.isResumable) throw new PlatformError('session_unavailable');
    this.checkMode(opts.permission_mode);
    if (opts.model !== undefined) await this.checkModel(opts.model);
    const proc = s.hasLiveProcess ? s.proc : null;
    if (proc) {
      if (opts.model !== undefined) await proc.setModel(opts.model);
      if (opts.permission_mode !== undefined) await proc.setPermissionMode(cliPermissionMode(opts.permission_mode));
    }
    s.setOptions({
      ...(opts.model !== undefined ? { model: opts.model } : {}),
      ...(opts.permission_mode !== undefined ? { permissionMode: opts.permission_mode } : {}),
    });
    return s.summary();
  }

  private catalog_: { fingerprint: string; value: Promise<Catalog> } | null = null;

  /**
   * The CLI's models and slash commands, asked once per extension set: of a live session's
   * process, else of a short-lived process started for the question.
   */
  catalog(): Promise<Catalog> {
    const fingerprint = this.deps.extensions().fingerprint;
    if (this.catalog_?.fingerprint !== fingerprint) {
      const value = this.readCatalog();
      this.catalog_ = { fingerprint, value };
      value.catch(() => {
        if (this.catalog_?.value === value) this.catalog_ = null;
      });
    }
    return this.catalog_.value;
  }

  private async readCatalog(): Promise<Catalog> {
    for (const s of this.registry.values()) {
      const proc = s.hasLiveProcess ? s.proc : null;
      if (!proc) continue;
      try {
        return { models: await proc.supportedModels(), commands: await proc.supportedCommands() };
      } catch {
        /* not attached yet, or gone: try the next */
      }
    }
    if (this.shuttingDown) throw new PlatformError('shutting_down');
    const proc = await this.startProcess(randomUUID(), false);
    try {
      proc.attach({ onMessage: () => {}, onDead: () => {} });
      return { models: await proc.supportedModels(), commands: await proc.supportedCommands() };
    } finally {
      await proc.stop();
    }
  }

  /** The session's CLI transcript file (the workspace reads its file checkpoints there). */
  transcriptFile(id: string): Promise<string | undefined> {
    return this.history_.transcriptPath(id);
  }

  // ------------------------------------------------------------ fork and rewind

  /**
   * A new session with the conversation of `id` (before `messageId` when given), from a copy of
   * its transcript: the original is unchanged. The fork has no process until it is used.
   */
  async fork(id: string, ownerId: string, messageId?: string): Promise<Session> {
    const src = this.get(id);
    // The fork works in its original's folder: the CLI finds a transcript by its working folder.
    const cwd = this.deps.workspaces?.cwdOf(src.id) ?? this.config.projectDir;
    const newId = await this.history_.fork(src.id, cwd, messageId);
    const now = new Date().toISOString();
    const kept = (await this.history_.load(newId)).filter((m) => m.type === 'user' || m.type === 'assistant').length;
    const meta: SessionMetadata = {
      session_id: newId,
      user_id: ownerId,
      status: 'dormant',
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
    this.repo.save(meta);
    this.deps.workspaces?.record(newId, cwd);
    const fork = this.get(newId);
    this.emit('updated', fork.summary());
    this.log.info({ session_id: newId, from: id, at: messageId }, 'session forked');
    return fork;
  }

  /** Restores (or with dryRun previews) the files the agent changed after a user message. */
  async rewindFiles(id: string, messageId: string, dryRun: boolean): Promise<RewindFilesResponse> {
    if (!this.config.fileCheckpointing)
      throw new PlatformError('rewind_unavailable', 'File checkpointing is off on this server (FILE_CHECKPOINTING=off)');
    const s = this.get(id);
    if (s.turn) throw new PlatformError('query_in_progress');
    await this.ensureProcess(s);
    const proc = s.proc;
    if (!proc) throw new PlatformError('session_unavailable');
    let r: Awaited<ReturnType<ClaudeProcess['rewindFiles']>>;
    try {
      // The change set first: a file outside the workspace refuses the whole rewind (rewind-guard.ts).
      r = await proc.rewindFiles(messageId, true);
      if (r.canRewind) checkRewindScope(r.filesChanged ?? [], this.rewindScope(id));
      if (r.canRewind && !dryRun) r = await proc.rewindFiles(messageId, false);
    } catch (e) {
      if (e instanceof PlatformError) throw e;
      throw new PlatformError('rewind_unavailable', `Files cannot be rewound to this message: ${(e as Error).message}`);
    }
    return {
      can_rewind: r.canRewind,
      ...(r.error ? { error: r.error } : {}),
      files_changed: r.filesChanged ?? [],
      insertions: r.insertions ?? 0,
      deletions: r.deletions ?? 0,
      dry_run: dryRun,
    };
  }

  private rewindScope(id: string): RewindScope {
    const c = this.config;
    const workspace = this.deps.workspaces?.cwdOf(id) ?? c.projectDir;
    return { workspace, projectDir: c.projectDir, databasePath: c.databasePath, claudeConfigDir: c.claudeConfigDir };
  }

  /** Replaces the process with a fresh one resumed on the same conversation, keeping its slot. */
  async restart(s: Session, reason: 'memory_limit', graceMs = 0): Promise<void> {
    if (s.state === 'restarting' || s.state === 'terminated' || s.state === 'dormant' || s.state === 'resuming') return;
    s.transition('restarting', reason);
    s.emit({
      type: 'session_restarting',
      reason,
      message: 'Session restarting to maintain performance. Your conversation will be preserved.',
    });
    try {
      await s.stopProcess();
      if ((s.state as SessionState) !== 'restarting') return; // destroyed meanwhile
      await this.ensureProcess(s);
      s.memoryGraceUntil = Date.now() + graceMs;
      this.log.info({ session_id: s.id, pid: s.proc?.pid, reason }, 'session restarted');
    } catch (e) {
      this.log.error({ err: e, session_id: s.id }, 'restart failed; the next message retries');
      if (!s.hasLiveProcess) this.capacity.release(s.id);
      if ((s.state as SessionState) === 'restarting') s.transition('idle', 'restart failed');
    }
  }

  /** Memory over the limit. Mid-turn the restart waits for the turn's end, unless `force` (twice the limit). */
  async restartForMemory(id: string, rssMb: number, force: boolean): Promise<void> {
    const s = this.registry.get(id);
    if (!s?.hasLiveProcess) return;
    if (s.turn && !force) {
      s.restartAfterTurn = 'memory_limit';
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
    const s = this.registry.get(id);
    if (!s || s.warnedDuration) return;
    s.warnedDuration = true;
    s.emit({ type: 'session_warning', reason: 'duration', remaining_seconds: remainingSeconds, message });
  }

  /**
   * Ends a session: its process tree goes, the row stays (terminated, resumable).
   * `actorUserId`: who asked (absent: the server itself, e.g. the monitor).
   */
  async destroy(id: string, reason: string, message: string, actorUserId?: string): Promise<SessionSummary> {
    const s = this.get(id);
    s.interruptTurn();
    await s.stopProcess();
    this.capacity.release(s.id);
    if (s.state !== 'terminated') s.terminate(reason);
    this.emit('ended', { session_id: s.id, user_id: s.record().user_id, reason, actor_user_id: actorUserId ?? null });
    s.emit({
      type: 'session_terminated',
      reason,
      message,
      resume_url: s.isResumable ? `/chat?resume=${s.id}` : null,
    });
    this.log.info({ session_id: id, reason }, 'session terminated');
    this.registry.touch(s);
    return s.summary();
  }

  /**
   * The newest page of the conversation. While a turn streams, the history stops
   * before that turn: its events (from turn_started on) follow from the buffer, so
   * nothing is missing and nothing is sent twice.
   */
  async history(id: string): Promise<HistoryPage & { lastEventId: number }> {
    const s = this.get(id);
    const turn = s.turn;
    const lastEventId = turn ? turn.startEventId : s.lastEventId;
    const inFlight = turn ? { text: turn.text, startedAt: turn.startedAt } : undefined;
    return { ...(await this.history_.page(id, { limit: this.config.historyPageSize, inFlight })), lastEventId };
  }

  /** The page before position `before` (never the turn in flight: it is after every position a client was given). */
  historyBefore(id: string, beforePos: number): Promise<HistoryPage> {
    return this.history_.page(this.get(id).id, { before: beforePos, limit: this.config.historyPageSize });
  }

  /** The whole stored conversation, turn outcomes included. */
  historyAll(id: string): Promise<HistoryMessage[]> {
    return this.history_.all(this.get(id).id);
  }

  /** The start-up catch-up (backfillHistory), once started: resolves with the sessions it read. */
  historyCaughtUp: Promise<number> = Promise.resolve(0);

  /** Reads, in the background, the transcripts of sessions stored before their copy existed (search finds them after). */
  backfillHistory(): Promise<number> {
    this.historyCaughtUp = this.history_.backfill(() => this.shuttingDown).catch(() => 0);
    return this.historyCaughtUp;
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
    await Promise.all(
      sessions.map(async (s) => {
        s.failTurn('The server is shutting down', 'retry');
        await s.whenReleased();
        if (!s.proc) return;
        await s.stopProcess();
        this.repo.markTerminated(s.id, 'server_shutdown', s.isResumable);
      }),
    );
    this.capacity.clear();
    this.registry.clear();
  }
}
