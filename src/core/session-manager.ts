// The orchestrator of session lifecycles (spec §3.6): create (pool or cold),
// turns, interrupt, destroy, resume, restart and shutdown. Connections talk to
// it; it owns every Session and, through them, every CLI process.
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { type CanUseTool, getSessionMessages } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { SessionMetadata, SessionRepository } from '../db/session-repository.js';
import { PlatformError } from '../protocol/errors.js';
import type { HistoryMessage, SessionSource, SessionSummary } from '../protocol/messages.js';
import { ClaudeProcess, type SpawnRecord } from './claude-process.js';
import { buildCliOptions, type ExtensionOptions } from './cli-options.js';
import { isAlive, killTree, procInfo, treeRss } from './process-tree.js';
import { type BufferedEvent, Session, type Turn, type TurnOutcome } from './session.js';
import { historyFromTranscript, withTurnResults } from './turn-translator.js';

const INTERRUPT_SETTLE_MS = 2000;

/** Hands out already-started processes (the pre-warm pool implements it). */
export interface WarmProcessSource {
  take(): ClaudeProcess | undefined;
  depth(): number;
}

export interface SessionManagerDeps {
  config: Config;
  repo: SessionRepository;
  log: Logger;
  modelBaseUrl: string | undefined;
  extensions: () => ExtensionOptions;
  /** Maps what the user typed to what the CLI gets (project commands: `/x` -> `/project:x`). */
  rewriteText?: (text: string) => string;
}

export interface SessionManagerEvents {
  event: [BufferedEvent];
  updated: [SessionSummary];
}

export class SessionManager extends EventEmitter<SessionManagerEvents> {
  private readonly sessions = new Map<string, Session>();
  /** Sessions holding a capacity slot: a live process, or one being started. */
  private readonly slots = new Set<string>();
  /** Every CLI pid we have spawned and not yet seen exit (sessions, pool, starts in flight). */
  private readonly spawned = new Set<number>();
  /** Resumes in flight, by session id. */
  private readonly starting = new Map<string, Promise<void>>();
  /** Sessions whose process is being replaced: their slot is kept across the gap. */
  private readonly restarting = new Set<string>();
  private pool: WarmProcessSource | null = null;
  /** How long a terminated session stays in memory for reconnecting clients. */
  terminatedRetentionMs = 60_000;
  private shuttingDown = false;
  /** Measured cold starts (ms), for session_creating's estimate. */
  private readonly coldStarts: number[] = [];
  private readonly config: Config;
  private readonly repo: SessionRepository;
  private readonly log: Logger;
  private readonly host;

  constructor(private readonly deps: SessionManagerDeps) {
    super();
    this.config = deps.config;
    this.repo = deps.repo;
    this.log = deps.log;
    this.host = {
      log: this.log,
      publish: (ev: BufferedEvent) => this.emit('event', ev),
      updated: (s: Session) => {
        this.repo.setStatus(s.id, s.summary().status, s.proc?.pid ?? null);
        this.emit('updated', s.summary());
      },
      persistActivity: (s: Session) => this.repo.updateActivity(s.id, s.meta.message_count, s.meta.total_cost_usd, s.meta.last_active_at),
      persistTurn: (s: Session, turn: Turn, r: TurnOutcome) =>
        this.repo.recordTurn({
          session_id: s.id,
          started_at: new Date(turn.startedAt).toISOString(),
          ended_at: new Date().toISOString(),
          outcome: r.outcome,
          cost_usd: r.cost_usd,
          turn_count: r.turn_count,
        }),
      permissionTimeoutMs: this.config.permissionTimeoutSeconds * 1000,
    };
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

  get activeCount(): number {
    return this.slots.size;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Whether a session is held in memory (not only in the database). */
  isLoaded(id: string): boolean {
    return this.sessions.has(id);
  }

  /** CLI pids this server owns (the monitor treats every other marked process as an orphan). */
  ownedPids(): number[] {
    return [...this.spawned];
  }

  /** Live sessions (in memory), for the monitor. */
  liveSessions(): Session[] {
    return [...this.sessions.values()].filter((s) => s.hasLiveProcess);
  }

  list(): SessionSummary[] {
    const live = new Map([...this.sessions.values()].map((s) => [s.id, s.summary()]));
    const out: SessionSummary[] = [];
    for (const m of this.repo.listAll()) out.push(live.get(m.session_id) ?? summaryOf(m));
    return out;
  }

  /** A session in memory, or loaded from the database (terminated ones included). */
  find(id: string): Session | undefined {
    const s = this.sessions.get(id);
    if (s) return s;
    const m = this.repo.get(id);
    if (!m) return undefined;
    const loaded = new Session(m, this.host);
    this.sessions.set(id, loaded);
    return loaded;
  }

  get(id: string): Session {
    const s = this.find(id);
    if (!s) throw new PlatformError('session_not_found');
    return s;
  }

  detail(id: string): SessionSummary & { subprocess_pid: number | null; rss_mb: number | null } {
    const s = this.get(id);
    const pid = s.hasLiveProcess ? (s.proc?.pid ?? null) : null;
    return {
      ...s.summary(),
      subprocess_pid: pid,
      rss_mb: pid === null ? null : Math.round((treeRss(pid) / 1048576) * 10) / 10,
    };
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

  // ------------------------------------------------------------ lifecycle

  private reserveSlot(id: string): void {
    if (this.shuttingDown) throw new PlatformError('capacity_exceeded', 'Server is shutting down');
    if (this.slots.has(id)) return;
    if (this.slots.size >= this.config.maxSessions)
      throw new PlatformError('capacity_exceeded', undefined, { max: this.config.maxSessions });
    this.slots.add(id);
  }

  private canUseToolFor(sessionId: string): CanUseTool {
    return async (tool, input, { signal }) => {
      if (this.config.permissionMode === 'bypassPermissions') return { behavior: 'allow', updatedInput: input };
      const s = this.sessions.get(sessionId);
      if (!s) return { behavior: 'deny', message: 'Session is gone' };
      return s.requestPermission(tool, input, signal);
    };
  }

  /** Starts a CLI process for a session id (new, or resumed). Used by the pool too. */
  startProcess(sessionId: string, resume: boolean): Promise<ClaudeProcess> {
    const sdkOptions = buildCliOptions({
      config: this.config,
      modelBaseUrl: this.deps.modelBaseUrl,
      extensions: this.deps.extensions(),
      sessionId,
      resume,
      canUseTool: this.canUseToolFor(sessionId),
    });
    return ClaudeProcess.start({
      sdkOptions,
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

  /**
   * Creates a session: a warm process from the pool when one is there, else a
   * cold start (onCold is told first, with the estimate in seconds).
   */
  async createSession(onCold?: (estimatedSeconds: number) => void): Promise<{ session: Session; source: SessionSource }> {
    const provisional = randomUUID();
    this.reserveSlot(provisional);
    let proc: ClaudeProcess | undefined;
    let source: SessionSource = 'pre-warmed';
    try {
      proc = this.pool?.take();
      if (!proc) {
        source = 'cold';
        onCold?.(this.estimatedColdStartSeconds());
        const t0 = Date.now();
        proc = await this.startProcess(provisional, false);
        this.recordStartTime(Date.now() - t0);
      }
    } catch (e) {
      this.slots.delete(provisional);
      this.log.error({ err: e }, 'session start failed');
      throw new PlatformError('internal_error', `Could not start a Claude process: ${(e as Error).message}`);
    }
    const id = proc.cliSessionId ?? provisional;
    if (id !== provisional) {
      this.slots.delete(provisional);
      this.slots.add(id);
    }
    if (this.shuttingDown) {
      this.slots.delete(id);
      await proc.stop();
      throw new PlatformError('capacity_exceeded', 'Server is shutting down');
    }
    const now = new Date().toISOString();
    const meta: SessionMetadata = {
      session_id: id,
      user_id: 'default',
      status: 'active',
      created_at: now,
      last_active_at: now,
      subprocess_pid: proc.pid,
      message_count: 0,
      total_cost_usd: 0,
      is_resumable: true,
      terminated_reason: null,
    };
    this.repo.save(meta);
    const session = new Session(meta, this.host);
    this.sessions.set(id, session);
    this.adopt(session, proc, false);
    this.host.updated(session);
    this.emit('updated', session.summary());
    this.log.info({ session_id: id, pid: proc.pid, source }, 'session created');
    return { session, source };
  }

  /** Gives a started process to a session and wires its messages and death. */
  private adopt(session: Session, proc: ClaudeProcess, resumed: boolean): void {
    session.proc = proc;
    session.expectedExit = false;
    session.processStartedAt = Date.now();
    session.costBaseline = resumed ? Number.NaN : 0;
    proc.attach({
      onMessage: (msg) => {
        if (session.proc !== proc) return;
        if (session.handleMessage(msg) && session.restartAfterTurn) {
          session.restartAfterTurn = null;
          void this.restart(session, 'memory_limit', this.config.memoryRestartGraceSeconds * 1000);
        }
      },
      onDead: (reason) => this.onProcessDead(session, proc, reason),
    });
  }

  /** The one handler for a process that went away, expected or not. */
  private onProcessDead(session: Session, proc: ClaudeProcess, reason: string): void {
    if (session.proc !== proc) return; // an old process of a restarted session
    session.proc = null;
    if (!this.restarting.has(session.id)) this.slots.delete(session.id);
    this.repo.setStatus(session.id, session.summary().status, null);
    if (session.expectedExit) return;
    this.log.warn({ session_id: session.id, pid: proc.pid, reason }, 'claude process died');
    if (session.turn) {
      session.emit({
        type: 'stream_error',
        error: `The Claude process ended unexpectedly (${reason.slice(0, 300)}). Send your message again to continue: the conversation is kept.`,
        partial_preserved: session.turn.translator.text.length > 0,
        suggested_action: 'retry',
      });
      session.endTurn(session.turn.translator.text.length > 0);
    }
    if (session.state !== 'terminated') session.setState('idle');
  }

  /** A live process for the session, resuming its conversation if it has none. Concurrent callers share one start. */
  private ensureProcess(session: Session): Promise<void> {
    if (session.hasLiveProcess) return Promise.resolve();
    let p = this.starting.get(session.id);
    if (!p) {
      p = this.startForSession(session).finally(() => this.starting.delete(session.id));
      this.starting.set(session.id, p);
    }
    return p;
  }

  private async startForSession(session: Session): Promise<void> {
    if (session.state === 'terminated' && !session.meta.is_resumable) throw new PlatformError('session_unavailable');
    this.reserveSlot(session.id);
    const prev = session.state;
    const fromTerminated = prev === 'terminated';
    session.setState('restarting');
    try {
      let proc: ClaudeProcess;
      try {
        proc = await this.startProcess(session.id, true);
      } catch (e) {
        if (/No conversation found/i.test((e as Error).message)) await this.resumeFailed(session, (e as Error).message);
        throw e;
      }
      if (session.hasLiveProcess) {
        // lost a race with another resume
        await proc.stop();
        return;
      }
      session.meta.is_resumable = true;
      session.meta.terminated_reason = null;
      if (fromTerminated) {
        // A new run: the duration and idle limits count from now.
        session.runStartedAt = Date.now();
        session.lastUserMessageAt = Date.now();
        session.warnedDuration = false;
      }
      this.adopt(session, proc, true);
      session.setState(session.turn ? 'active' : 'idle');
      this.log.info({ session_id: session.id, pid: proc.pid }, 'session resumed');
    } catch (e) {
      this.slots.delete(session.id);
      session.setState(session.turn ? 'active' : prev === 'restarting' ? 'idle' : prev);
      throw e;
    }
  }

  /**
   * The CLI could not restore the conversation ("No conversation found"): the
   * session is stored terminated and not resumable, so nothing retries in a loop.
   */
  private async resumeFailed(s: Session, why: string): Promise<void> {
    this.log.error({ session_id: s.id, reason: why.slice(0, 300) }, 'resume failed');
    s.meta.is_resumable = false;
    this.slots.delete(s.id);
    this.restarting.delete(s.id);
    if (s.turn) {
      s.emit({
        type: 'stream_error',
        error: 'This conversation could not be restored (its transcript is missing). Start a new session to continue.',
        partial_preserved: false,
        suggested_action: 'new_session',
      });
      s.endTurn(false);
    }
    s.meta.status = 'terminated';
    this.repo.markTerminated(s.id, 'resume_failed', false);
    s.state = 'terminated';
    this.host.updated(s);
    this.forgetLater(s);
    s.emit({
      type: 'session_terminated',
      reason: 'resume_failed',
      message: 'This conversation could not be restored. Start a new session to continue.',
      resume_url: null,
    });
  }

  /**
   * A terminated session leaves memory (its event buffer) once reconnecting clients
   * have had their window (spec §6: 60 s); it is loaded from the database again on demand.
   */
  private forgetLater(s: Session): void {
    setTimeout(() => {
      if (this.sessions.get(s.id) === s && s.state === 'terminated' && !s.proc && !s.turn) this.sessions.delete(s.id);
    }, this.terminatedRetentionMs).unref();
  }

  /** Resumes a terminated-but-resumable session (spec resume_session). */
  async resumeSession(id: string): Promise<Session> {
    const s = this.get(id);
    await this.ensureProcess(s);
    return s;
  }

  /** Starts a turn. Frames stream through the 'event' emitter; resolves when the turn ends. */
  /** Throws the error a new message to this session would get, before anything is sent. */
  checkCanSend(s: Session): void {
    if (s.turn) throw new PlatformError('query_in_progress');
    if (!s.hasLiveProcess && !s.meta.is_resumable) throw new PlatformError('session_unavailable');
  }

  async sendMessage(id: string, text: string): Promise<void> {
    const s = this.get(id);
    this.checkCanSend(s);
    // Claim the turn before any await so a second message cannot slip in.
    const turn = s.startTurn(text);
    try {
      await this.ensureProcess(s);
      const proc = s.proc;
      if (!proc) throw new Error('no process');
      proc.send(this.deps.rewriteText?.(text) ?? text);
    } catch (e) {
      const err = e instanceof PlatformError ? e : new PlatformError('internal_error', (e as Error).message);
      if (s.turn === turn) {
        s.emit({
          type: 'stream_error',
          error: err.message,
          partial_preserved: false,
          suggested_action: err.code === 'capacity_exceeded' ? 'retry' : 'new_session',
        });
        s.endTurn(false);
      }
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
      s.emit({ type: 'stream_interrupted' });
      s.endTurn(turn.translator.text.length > 0);
      void this.stopProcess(s);
    }, INTERRUPT_SETTLE_MS);
    await s.proc?.interrupt(INTERRUPT_SETTLE_MS);
  }

  answerPermission(requestId: string, decision: 'allow' | 'deny' | 'allow_always'): boolean {
    for (const s of this.sessions.values()) if (s.answerPermission(requestId, decision)) return true;
    return false;
  }

  /** Ends a session's process on purpose (the session itself lives on). */
  private async stopProcess(s: Session): Promise<void> {
    const proc = s.proc;
    if (!proc) return;
    s.expectedExit = true;
    await proc.stop();
  }

  /** Replaces the process with a fresh one resumed on the same conversation, keeping its slot. */
  async restart(s: Session, reason: 'memory_limit' | 'process_exited' | 'interrupt_timeout', graceMs = 0): Promise<void> {
    if (s.state === 'terminated' || this.restarting.has(s.id)) return;
    this.restarting.add(s.id);
    s.emit({
      type: 'session_restarting',
      reason,
      message: 'Session restarting to maintain performance. Your conversation will be preserved.',
    });
    try {
      await this.stopProcess(s);
      await this.ensureProcess(s);
      s.memoryGraceUntil = Date.now() + graceMs;
      this.log.info({ session_id: s.id, pid: s.proc?.pid, reason }, 'session restarted');
    } catch (e) {
      this.log.error({ err: e, session_id: s.id }, 'restart failed; the next message retries');
      if (!s.hasLiveProcess) this.slots.delete(s.id);
    } finally {
      this.restarting.delete(s.id);
    }
  }

  /** Memory over the limit: restart now, ending the turn in flight if there is one (2x limit). */
  async restartForMemory(s: Session, rssMb: number, graceMs: number): Promise<void> {
    if (s.turn) {
      s.emit({
        type: 'stream_error',
        error: `The session used too much memory (${rssMb} MB, limit ${this.config.maxSessionRssMb} MB) and is restarting. Send your message again: the conversation is kept.`,
        partial_preserved: s.turn.translator.text.length > 0,
        suggested_action: 'retry',
      });
      s.endTurn(s.turn.translator.text.length > 0);
    }
    await this.restart(s, 'memory_limit', graceMs);
  }

  /** Ends a session: its process tree goes, the row stays (terminated, resumable). */
  async destroy(id: string, reason = 'user_requested', message?: string): Promise<SessionSummary> {
    const s = this.get(id);
    if (s.turn) {
      s.turn.interruptRequested = true;
      s.emit({ type: 'stream_interrupted' });
      s.endTurn(s.turn.translator.text.length > 0);
    }
    await this.stopProcess(s);
    this.slots.delete(s.id);
    s.meta.status = 'terminated';
    s.meta.terminated_reason = reason;
    this.repo.markTerminated(s.id, reason, s.meta.is_resumable);
    s.setState('terminated');
    s.emit({
      type: 'session_terminated',
      reason,
      message: message ?? terminationMessage(reason),
      resume_url: s.meta.is_resumable ? `/chat?resume=${s.id}` : null,
    });
    this.log.info({ session_id: id, reason }, 'session terminated');
    this.forgetLater(s);
    return s.summary();
  }

  /**
   * The conversation so far, from the SDK transcript. While a turn streams, the
   * history stops before that turn: its events (from turn_started on) follow
   * from the buffer, so nothing is missing and nothing is sent twice.
   */
  async history(id: string): Promise<{ messages: HistoryMessage[]; lastEventId: number }> {
    const s = this.get(id);
    const turn = s.turn;
    const lastEventId = turn ? turn.startEventId : s.lastEventId;
    let raw: Parameters<typeof historyFromTranscript>[0] = [];
    try {
      raw = (await getSessionMessages(id, { dir: this.config.projectDir })) as typeof raw;
    } catch (e) {
      this.log.debug({ err: e, session_id: id }, 'no transcript');
    }
    let messages = withTurnResults(historyFromTranscript(raw), this.repo.turnsOf(id));
    if (s.turn === turn && turn) {
      let cut = -1;
      for (let i = messages.length - 1; i >= 0; i--) {
        const m = messages[i];
        if (m?.type === 'user' && m.text === turn.text) {
          cut = i;
          break;
        }
      }
      if (cut >= 0) messages = messages.slice(0, cut);
    }
    return { messages, lastEventId };
  }

  /** Graceful: waits for turns in flight (up to graceMs), then ends every process tree. */
  async shutdown(graceMs: number): Promise<void> {
    this.shuttingDown = true;
    const turns = [...this.sessions.values()].map((s) => s.turn?.done).filter(Boolean);
    if (turns.length > 0 && graceMs > 0) {
      this.log.info({ turns: turns.length }, 'waiting for turns in flight');
      await Promise.race([Promise.all(turns), new Promise((r) => setTimeout(r, graceMs))]);
    }
    await Promise.all(
      [...this.sessions.values()].map(async (s) => {
        if (s.turn) {
          s.emit({ type: 'stream_error', error: 'The server is shutting down', partial_preserved: true, suggested_action: 'retry' });
          s.endTurn(s.turn.translator.text.length > 0);
        }
        if (!s.proc) return;
        await this.stopProcess(s);
        this.repo.markTerminated(s.id, 'server_shutdown', s.meta.is_resumable);
      }),
    );
    this.slots.clear();
  }
}

export function terminationMessage(reason: string): string {
  switch (reason) {
    case 'user_requested':
      return 'Session ended at your request.';
    case 'duration_limit':
      return 'Session ended (4-hour limit reached).';
    case 'idle_timeout':
      return 'Session ended after a period of inactivity.';
    default:
      return `Session ended (${reason}).`;
  }
}

export function summaryOf(m: SessionMetadata): SessionSummary {
  return {
    session_id: m.session_id,
    status: m.status,
    created_at: m.created_at,
    last_active_at: m.last_active_at,
    message_count: m.message_count,
    total_cost_usd: Math.round(m.total_cost_usd * 1e6) / 1e6,
    is_resumable: m.is_resumable,
  };
}
