// One chat session: its state (one table of moves, see session-state.ts), the CLI
// process it owns (at most one at a time), the turn in flight, its permissions and
// its event log. Only the session changes its state: every move saves it once and
// announces it once.
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import type { SessionMetadata } from '../../db/session-repository.js';
import type { AttachmentRef, SessionPermissionMode, SessionSummary, StreamErrorFrame, TurnOutcome } from '../../protocol/messages.js';
import { type PermissionDecided, PermissionGate } from '../agent-policy/permissions.js';
import { waitingFor } from '../attention/waiting-for.js';
import type { ClaudeProcess } from '../cli/claude-process.js';
import { titleFromMessage } from '../conversations/titles.js';
import { type BufferedEvent, EventBuffer, type EventInput } from './session-events.js';
import { canTransition, InvalidTransitionError, publicStatus, type SessionState } from './session-state.js';
import { TurnTranslator } from './turn-translator.js';

export type { BufferedEvent, EventInput } from './session-events.js';

export type SuggestedAction = (typeof StreamErrorFrame.shape.suggested_action.options)[number];

export interface TurnResult {
  outcome: TurnOutcome;
  cost_usd: number;
  turn_count: number;
  context_tokens?: number | null;
  context_window?: number | null;
}

export interface Turn {
  text: string;
  /** The user message's transcript id. */
  messageId: string | undefined;
  startedAt: number;
  /** event_id just before this turn's first event */
  startEventId: number;
  translator: TurnTranslator;
  interruptRequested: boolean;
  interruptTimer: NodeJS.Timeout | null;
  done: Promise<void>;
  finish: () => void;
}

export interface SessionHost {
  /** Every event of every session goes through here to its watcher. */
  publish(ev: BufferedEvent): void;
  /** Stores the session's row (one write). */
  save(row: SessionMetadata): void;
  /** Tells every client the summary changed. */
  announce(summary: SessionSummary): void;
  /** A turn ended (stored with its outcome and counted). */
  turnEnded(s: Session, turn: Turn, result: TurnResult): void;
  /** The session's process went away: expected (we stopped it) or not. */
  processGone(s: Session, proc: ClaudeProcess, reason: string, expected: boolean): void;
  /** A tool call of this session was decided (allowed, denied, timed out...). */
  permissionDecided?(s: Session, d: PermissionDecided): void;
  permissionTimeoutMs: number;
  projectDir: string;
  /** The session's working folder: "Always allow" for file tools covers it only. */
  cwdOf?(sessionId: string): string;
}

export class Session {
  readonly id: string;
  private state_: SessionState;
  private readonly row: SessionMetadata;
  private proc_: ClaudeProcess | null = null;
  /** Set while we end the process on purpose, so its death is not reported as a crash. */
  private expectedExit = false;
  /** A released process still exiting: a resume waits for it (two CLIs never write one transcript). */
  private exiting: Promise<unknown> | null = null;
  turn: Turn | null = null;
  /** Reason a restart waits for the current turn to end (memory limit). */
  restartAfterTurn: 'memory_limit' | null = null;
  /** CLI cost counter is cumulative per process: the figure already counted (NaN: resumed, not yet known). */
  private costBaseline = 0;
  lastUserMessageAt = Date.now();
  /** Last time someone used the session (message, creation, resume): the least recently used idle one makes room first. */
  lastUsedAt = Date.now();
  /** Start of the current run (creation, or resume after termination): the duration limit counts from here. */
  runStartedAt = Date.now();
  /** Memory restarts are not checked again before this time (no restart storms). */
  memoryGraceUntil = 0;
  warnedDuration = false;
  readonly permissions: PermissionGate;
  private readonly events: EventBuffer;

  constructor(
    meta: SessionMetadata,
    private readonly host: SessionHost,
    state: SessionState = meta.status,
  ) {
    this.id = meta.session_id;
    this.row = { ...meta };
    this.state_ = state;
    this.events = new EventBuffer(this.id);
    this.permissions = new PermissionGate({
      projectDir: host.cwdOf?.(this.id) ?? host.projectDir,
      timeoutMs: host.permissionTimeoutMs,
      emit: (ev) => this.emit(ev),
      decided: (d) => this.host.permissionDecided?.(this, d),
      pendingChanged: () => this.host.announce(this.summary()),
    });
  }

  get state(): SessionState {
    return this.state_;
  }

  get createdAt(): string {
    return this.row.created_at;
  }

  /** The user who created it: the only one who may use it. */
  get ownerId(): string {
    return this.row.user_id;
  }

  /** The session's own model and permission mode (undefined: the server's defaults). */
  get options(): { model: string | undefined; permissionMode: SessionPermissionMode | undefined } {
    return { model: this.row.model ?? undefined, permissionMode: this.row.permission_mode ?? undefined };
  }

  /** Stores changed options, saved and announced once. */
  setOptions(o: { model?: string; permissionMode?: SessionPermissionMode }): void {
    if (o.model !== undefined) this.row.model = o.model;
    if (o.permissionMode !== undefined) this.row.permission_mode = o.permissionMode;
    this.host.save(this.record());
    this.host.announce(this.summary());
  }

  get isResumable(): boolean {
    return this.row.is_resumable;
  }

  get lastEventId(): number {
    return this.events.lastEventId;
  }

  get isQueryActive(): boolean {
    return this.turn !== null;
  }

  get proc(): ClaudeProcess | null {
    return this.proc_;
  }

  get hasLiveProcess(): boolean {
    return this.proc_ !== null && this.proc_.state !== 'dead';
  }

  /** Idle enough to give its process up: a live process, no turn, nobody asked a permission question. */
  get isReleasable(): boolean {
    return (this.state_ === 'idle' || this.state_ === 'ready') && this.hasLiveProcess && !this.turn && !this.permissions.hasPending;
  }

  /** What clients see; in memory it also says where the session works and what it waits for. */
  summary(): SessionSummary {
    return {
      ...summaryOf(this.record()),
      waiting_for: waitingFor(this.permissions.pendingTools),
    };
  }

  /** The row as stored. */
  record(): SessionMetadata {
    return { ...this.row, status: publicStatus(this.state_), subprocess_pid: this.hasLiveProcess ? (this.proc_?.pid ?? null) : null };
  }

  /** The one way the state changes: checked against the table, saved once, announced once. */
  transition(to: SessionState, cause: string): void {
    if (to === this.state_) return;
    if (!canTransition(this.state_, to)) throw new InvalidTransitionError(this.state_, to, cause);
    this.state_ = to;
    this.host.save(this.record());
    this.host.announce(this.summary());
  }

  /** Renames the session: stored and announced at once. */
  rename(title: string): void {
    this.row.title = title;
    this.host.save(this.record());
    this.host.announce(this.summary());
  }

  /** Ends the session for good (its process must already be stopped); resumable unless `resumable` is false. */
  terminate(reason: string, resumable = this.row.is_resumable): void {
    this.row.is_resumable = resumable;
    this.row.terminated_reason = reason;
    this.transition('terminated', reason);
  }

  // ------------------------------------------------------------ process

  /** Takes a started process and wires its messages and death. */
  adopt(proc: ClaudeProcess, resumed: boolean): void {
    this.proc_ = proc;
    this.expectedExit = false;
    this.costBaseline = resumed ? Number.NaN : 0;
    if (resumed) {
      this.row.is_resumable = true;
      this.row.terminated_reason = null;
    }
    proc.attach({
      onMessage: (msg) => {
        if (this.proc_ === proc) this.handleMessage(msg);
      },
      onDead: (reason) => this.processDied(proc, reason),
    });
  }

  /** A resumed run after termination: the duration and idle limits count from now. */
  startRun(): void {
    this.runStartedAt = Date.now();
    this.lastUserMessageAt = Date.now();
    this.warnedDuration = false;
  }

  /** Ends the process on purpose; resolves when it is gone. The session lives on. */
  async stopProcess(): Promise<void> {
    const proc = this.proc_;
    if (!proc) return;
    this.expectedExit = true;
    await proc.stop();
  }

  /**
   * Gives the process up at once (its death is expected and no longer this session's concern)
   * and returns the promise of its end.
   */
  releaseProcess(): Promise<unknown> {
    const proc = this.proc_;
    if (!proc) return Promise.resolve();
    this.expectedExit = true;
    this.proc_ = null;
    const gone = proc.stop();
    this.exiting = gone;
    void gone.finally(() => {
      if (this.exiting === gone) this.exiting = null;
    });
    this.host.processGone(this, proc, 'released', true);
    return gone;
  }

  /** Resolves once a released process has exited. */
  whenReleased(): Promise<unknown> {
    return this.exiting ?? Promise.resolve();
  }

  private processDied(proc: ClaudeProcess, reason: string): void {
    if (this.proc_ !== proc) return; // an old process of a restarted session
    this.proc_ = null;
    const expected = this.expectedExit;
    this.host.processGone(this, proc, reason, expected);
    if (expected) return;
    if (this.turn)
      // The reason (a signal, the CLI's stderr) is logged (processGone); the person reads what happened and what to do.
      this.failTurn('The agent process stopped unexpectedly. Your conversation is kept.', 'retry');
    if (this.state_ === 'ready') this.transition('idle', 'process died');
    else this.host.save(this.record());
  }

  // ------------------------------------------------------------ events

  emit(ev: EventInput): BufferedEvent {
    const full = this.events.push(ev, this.turn ? this.turn.startEventId : Number.POSITIVE_INFINITY);
    this.host.publish(full);
    return full;
  }

  /** Frees the event buffer (a dormant session's memory should go with its process); reconnects then get the history. */
  dropEvents(): void {
    if (!this.turn) this.events.clear();
  }

  /** Buffered events after `after`, or undefined when the buffer no longer reaches back that far. */
  eventsAfter(after: number): BufferedEvent[] | undefined {
    return this.events.after(after);
  }

  // ------------------------------------------------------------ turns

  /** Claims the turn (synchronously, so a second message cannot slip in). */
  startTurn(text: string, attachments: AttachmentRef[] = [], messageId?: string): Turn {
    let finish!: () => void;
    const done = new Promise<void>((r) => {
      finish = r;
    });
    const turn: Turn = {
      text,
      messageId,
      startedAt: Date.now(),
      startEventId: this.lastEventId,
      translator: new TurnTranslator(),
      interruptRequested: false,
      interruptTimer: null,
      done,
      finish,
    };
    this.turn = turn;
    this.lastUserMessageAt = Date.now();
    this.lastUsedAt = Date.now();
    this.row.message_count += 1;
    this.row.last_active_at = new Date().toISOString();
    // The first message names the session (clients learn it with the state move, or at once).
    const named = this.row.title === null && (this.row.title = defaultTitle(text)) !== null;
    // Without a live process the state moves when one is started (resuming -> active).
    if (this.hasLiveProcess && (this.state_ === 'ready' || this.state_ === 'idle')) this.transition('active', 'message');
    else {
      this.host.save(this.record());
      if (named) this.host.announce(this.summary());
    }
    this.emit({
      type: 'turn_started',
      text,
      ...(attachments.length > 0 ? { attachments } : {}),
      ...(messageId ? { message_id: messageId } : {}),
    });
    return turn;
  }

  /** Feeds one SDK message of this session's process. */
  handleMessage(msg: SDKMessage): void {
    const turn = this.turn;
    if (!turn) return; // e.g. a late message after an interrupt timeout
    for (const ev of turn.translator.push(msg)) this.emit(ev);
    if (msg.type !== 'result') return;
    const r = turn.translator.result;
    if (!r) return;
    const turnCost = this.takeCost(r.totalCostUsd);
    this.row.total_cost_usd += turnCost;
    const failed = r.isError || r.subtype !== 'success' || !!turn.translator.errorText;
    const outcome: TurnOutcome = turn.interruptRequested ? 'interrupted' : failed ? 'error' : 'complete';
    if (outcome === 'interrupted') this.emit({ type: 'stream_interrupted' });
    else if (outcome === 'error')
      this.emit({
        type: 'stream_error',
        error: turn.translator.errorText || r.errors.join('; ') || r.resultText || `The turn ended with ${r.subtype}`,
        partial_preserved: turn.translator.text.length > 0,
        suggested_action: 'retry',
      });
    else
      this.emit({
        type: 'response_complete',
        cost_usd: Math.round(turnCost * 1e6) / 1e6,
        turn_count: r.numTurns,
        ...(r.contextTokens !== null ? { context_tokens: r.contextTokens } : {}),
        ...(r.contextWindow !== null ? { context_window: r.contextWindow } : {}),
        session_cost_usd: Math.round(this.row.total_cost_usd * 1e6) / 1e6,
      });
    this.endTurn(turn.translator.text.length > 0, {
      outcome,
      cost_usd: turnCost,
      turn_count: r.numTurns,
      context_tokens: r.contextTokens,
      context_window: r.contextWindow,
    });
  }

  /**
   * The CLI reports cost cumulatively per process, and a resumed process may
   * start from the total its transcript saved. The first result of a resumed
   * process tells which: a total at or above what we stored carried over.
   */
  private takeCost(total: number): number {
    if (Number.isNaN(this.costBaseline)) {
      const stored = this.row.total_cost_usd;
      this.costBaseline = total + 1e-9 >= stored ? stored : 0;
    }
    const cost = Math.max(0, total - this.costBaseline);
    this.costBaseline = Math.max(this.costBaseline, total);
    return cost;
  }

  /** Ends the turn in flight with an error frame: the one way a turn fails. */
  failTurn(error: string, action: SuggestedAction): void {
    const turn = this.turn;
    if (!turn) return;
    const partial = turn.translator.text.length > 0;
    this.emit({ type: 'stream_error', error, partial_preserved: partial, suggested_action: action });
    this.endTurn(partial, { outcome: 'error', cost_usd: 0, turn_count: 0 });
  }

  /** Ends the turn in flight as stopped by the user (or by destroy). */
  interruptTurn(): void {
    const turn = this.turn;
    if (!turn) return;
    turn.interruptRequested = true;
    this.emit({ type: 'stream_interrupted' });
    this.endTurn(turn.translator.text.length > 0, { outcome: 'interrupted', cost_usd: 0, turn_count: 0 });
  }

  /** Ends the turn in flight (if any): counts, stores, wakes waiters. */
  private endTurn(answered: boolean, result: TurnResult): void {
    const turn = this.turn;
    if (!turn) return;
    if (turn.interruptTimer) clearTimeout(turn.interruptTimer);
    this.turn = null;
    if (answered) this.row.message_count += 1;
    this.row.last_active_at = new Date().toISOString();
    this.permissions.cancelAll('The turn ended');
    this.host.turnEnded(this, turn, result);
    if (this.state_ === 'active') this.transition('idle', 'turn ended');
    else this.host.save(this.record());
    turn.finish();
  }
}

/** The summary clients see of a stored (or live) session row. */
export function summaryOf(m: SessionMetadata): SessionSummary {
  return {
    session_id: m.session_id,
    user_id: m.user_id,
    status: m.status,
    created_at: m.created_at,
    last_active_at: m.last_active_at,
    message_count: m.message_count,
    total_cost_usd: Math.round(m.total_cost_usd * 1e6) / 1e6,
    is_resumable: m.is_resumable,
    title: m.title,
    ...(m.model ? { model: m.model } : {}),
    ...(m.permission_mode ? { permission_mode: m.permission_mode } : {}),
    ...(m.working_dir ? { working_dir: m.working_dir } : {}),
  };
}

/** A title from a first message (conversations/titles.ts); null when blank. */
export const defaultTitle = titleFromMessage;
