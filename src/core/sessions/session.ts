// One chat session: its life (named events -> next state and effects, see
// session-state.ts), the CLI process it owns (at most one at a time), the turn in
// flight, its permissions and its event log. Only the session changes its state:
// every move saves it once and announces it once.
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import type { SessionMetadata } from '../../db/ports.js';
import type { AttachmentRef, SessionPermissionMode, SessionSummary } from '../../protocol/messages.js';
import { type PermissionDecided, PermissionGate } from '../agent-policy/permissions.js';
import { waitingFor } from '../attention/waiting-for.js';
import type { ClaudeProcess } from '../cli/claude-process.js';
import { type BufferedEvent, EventBuffer, type EventInput } from './session-events.js';
import { type Effect, type LifeEvent, publicStatus, type SessionState, step } from './session-state.js';
import { defaultTitle, summaryOf, takenOver } from './session-summary.js';
import { type LiveTurn, type SuggestedAction, type Turn, type TurnResult, turnCost, turnEnding } from './turn.js';
import { TurnTranslator } from './turn-translator.js';

export type { BufferedEvent, EventInput } from './session-events.js';
export { defaultTitle, summaryOf } from './session-summary.js';
export type { SuggestedAction, Turn, TurnResult } from './turn.js';

export interface SessionHost {
  /** Every event of every session goes through here to its watcher. */
  publish(ev: BufferedEvent): void;
  /** Stores the session's row (one write, queued: stored in order, never awaited by the session). */
  save(row: SessionMetadata): void;
  /** Tells every client the summary changed. */
  announce(summary: SessionSummary): void;
  /** A turn ended (stored with its outcome and counted). */
  turnEnded(s: Session, turn: Turn, result: TurnResult): void;
  /** The session's process went away: expected (we stopped it) or not (logged). */
  processGone(s: Session, proc: ClaudeProcess, reason: string, expected: boolean): void;
  /** Gives back the capacity slot the session's process held: the one place a slot is released. */
  releaseSlot(sessionId: string): void;
  /** A restart asked for during a turn is due: the turn has ended. */
  restartDue?(s: Session, reason: 'memory_limit'): void;
  /** A tool call of this session was decided (allowed, denied, timed out...). */
  permissionDecided?(s: Session, d: PermissionDecided): void;
  permissionTimeoutMs: number;
  /** Where a session without a recorded working folder works. */
  projectDir: string;
}

export class Session {
  readonly id: string;
  private state_: SessionState;
  /** Where the session was before resuming/restarting: a failed start goes back there. */
  private resumedFrom: SessionState | null = null;
  private readonly row: SessionMetadata;
  private proc_: ClaudeProcess | null = null;
  /** Set while we end the process on purpose, so its death is not reported as a crash. */
  private expectedExit = false;
  /** A released process still exiting: a resume waits for it (two CLIs never write one transcript). */
  private exiting: Promise<unknown> | null = null;
  private turn_: LiveTurn | null = null;
  /** Reason a restart waits for the current turn to end (memory limit). */
  private restartAfterTurn: 'memory_limit' | null = null;
  /** CLI cost counter is cumulative per process: the figure already counted (NaN: resumed, not yet known). */
  private costBaseline = 0;
  private lastUserMessageAt_ = Date.now();
  /** Last time someone used the session (message, creation, resume): the least recently used idle one makes room first. */
  private lastUsedAt_ = Date.now();
  /** Start of the current run (creation, or resume after termination): the duration limit counts from here. */
  private runStartedAt_ = Date.now();
  /** Memory restarts are not checked again before this time (no restart storms). */
  private memoryGraceUntil_ = 0;
  private warnedDuration_ = false;
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
      // "Always allow" for file tools covers the session's working folder only.
      projectDir: meta.working_dir ?? host.projectDir,
      timeoutMs: host.permissionTimeoutMs,
      emit: (ev) => this.emit(ev),
      decided: (d) => this.host.permissionDecided?.(this, d),
      pendingChanged: () => this.host.announce(this.summary()),
    });
  }

  get state(): SessionState {
    return this.state_;
  }

  /** The user who created it: the only one who may use it. */
  get ownerId(): string {
    return this.row.user_id;
  }

  /** The session's own model and permission mode (undefined: the server's defaults). */
  get options(): { model: string | undefined; permissionMode: SessionPermissionMode | undefined } {
    return { model: this.row.model ?? undefined, permissionMode: this.row.permission_mode ?? undefined };
  }

  get isResumable(): boolean {
    return this.row.is_resumable;
  }

  get lastEventId(): number {
    return this.events.lastEventId;
  }

  /** The turn in flight, if any. */
  get turn(): Turn | null {
    return this.turn_;
  }

  get proc(): ClaudeProcess | null {
    return this.proc_;
  }

  get hasLiveProcess(): boolean {
    return this.proc_ !== null && this.proc_.state !== 'dead';
  }

  get lastUserMessageAt(): number {
    return this.lastUserMessageAt_;
  }

  get lastUsedAt(): number {
    return this.lastUsedAt_;
  }

  get runStartedAt(): number {
    return this.runStartedAt_;
  }

  get memoryGraceUntil(): number {
    return this.memoryGraceUntil_;
  }

  get warnedDuration(): boolean {
    return this.warnedDuration_;
  }

  /** Idle enough to give its process up: a live process, no turn, nobody asked a permission question. */
  get isReleasable(): boolean {
    return (this.state_ === 'idle' || this.state_ === 'ready') && this.hasLiveProcess && !this.turn_ && !this.permissions.hasPending;
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

  // ------------------------------------------------------------ the session's life

  /**
   * The one way the session's life moves: the state module gives the next state and the effects;
   * they are applied here, then a move is saved once and announced once.
   */
  private dispatch(ev: LifeEvent): void {
    const from = this.state_;
    const { next, effects, quiet } = step(from, ev, { resumedFrom: this.resumedFrom });
    if (next === 'resuming' || next === 'restarting') {
      if (from !== 'resuming' && from !== 'restarting') this.resumedFrom = from;
    } else this.resumedFrom = null;
    this.state_ = next;
    const told: Effect[] = [];
    for (const e of effects) {
      if (e.kind === 'tell') told.push(e);
      else this.apply(e);
    }
    if (next !== from && !quiet) {
      this.host.save(this.record());
      this.host.announce(this.summary());
    }
    for (const e of told) this.apply(e);
  }

  private apply(e: Effect): void {
    switch (e.kind) {
      case 'release_slot':
        this.host.releaseSlot(this.id);
        return;
      case 'release_process':
        void this.releaseProcess();
        return;
      case 'drop_events':
        if (!this.turn_) this.events.clear();
        return;
      case 'fail_turn':
        this.failTurn(e.message, e.action);
        return;
      case 'start_run':
        this.runStartedAt_ = Date.now();
        this.lastUserMessageAt_ = Date.now();
        this.warnedDuration_ = false;
        return;
      case 'mark_ended':
        if (e.resumable !== 'keep') this.row.is_resumable = e.resumable;
        this.row.terminated_reason = e.reason;
        return;
      case 'mark_resumed':
        this.row.is_resumable = true;
        this.row.terminated_reason = null;
        return;
      case 'tell':
        if (e.frame === 'session_restarting') this.emit({ type: 'session_restarting', reason: e.reason, message: e.message });
        else this.tellTerminated(e.reason, e.message);
        return;
    }
  }

  private tellTerminated(reason: string, message: string): void {
    this.emit({ type: 'session_terminated', reason, message, resume_url: this.isResumable ? `/chat?resume=${this.id}` : null });
  }

  /** A process is up for this session (its first, a resumed or a restarted one): the session takes it. */
  processStarted(proc: ClaudeProcess): void {
    const fresh = this.state_ === 'creating';
    this.proc_ = proc;
    this.expectedExit = false;
    this.costBaseline = fresh ? 0 : Number.NaN;
    this.lastUsedAt_ = Date.now();
    proc.attach({
      onMessage: (msg) => {
        if (this.proc_ === proc) this.handleMessage(msg);
      },
      onDead: (reason) => this.processDied(proc, reason),
    });
    this.dispatch({ type: 'process_started', turn: this.turn_ !== null });
  }

  /** A process is needed and there is none (a slot is held for it): resuming, unless a restart is under way. */
  resumeRequested(): void {
    this.dispatch({ type: 'resume_requested' });
  }

  /** Whether a process being started for this session can still be taken (it was not ended meanwhile). */
  get awaitsProcess(): boolean {
    return this.state_ === 'resuming' || this.state_ === 'restarting';
  }

  /** The start failed: back where it was, or (transcript lost) terminated and not resumable. */
  resumeFailed(transcriptLost: boolean): void {
    this.dispatch({ type: 'resume_failed', transcriptLost });
  }

  /** Starts replacing the process (memory limit). False when there is nothing to restart. */
  restartRequested(reason: 'memory_limit'): boolean {
    this.dispatch({ type: 'restart_requested', reason });
    return this.state_ === 'restarting';
  }

  restartAfterThisTurn(reason: 'memory_limit'): void {
    this.restartAfterTurn = reason;
  }

  /** Once a restarted process is up: memory restarts are not checked again for `ms`. */
  memoryGrace(ms: number): void {
    this.memoryGraceUntil_ = Date.now() + ms;
  }

  /** Warns once per run that the duration limit is near; false when it was warned already. */
  warnDuration(remainingSeconds: number, message: string): boolean {
    if (this.warnedDuration_) return false;
    this.warnedDuration_ = true;
    this.emit({ type: 'session_warning', reason: 'duration', remaining_seconds: remainingSeconds, message });
    return true;
  }

  /** Gives the process up to make room: the session stays listed and resumes on its next message. */
  evict(): void {
    this.dispatch({ type: 'evicted' });
  }

  /** Another replica takes it (asked: between turns; holding its lease already: at once, nothing more written here); adopt: taken from one. */
  letGo(why: 'handed_over' | 'lease_lost'): void {
    this.dispatch({ type: why });
  }
  adopt(stored: SessionMetadata): void {
    Object.assign(this.row, takenOver(stored, this.row, this.turn_ !== null));
  }

  /** Ends the session: the turn stops, the process goes, the row stays terminated; clients are told why. */
  async destroy(reason: string, message: string): Promise<void> {
    this.interruptTurn();
    await this.stopProcess();
    if (this.state_ === 'terminated') return;
    this.dispatch({ type: 'destroyed', reason });
    this.tellTerminated(reason, message);
  }

  /** The server stops: the turn fails (retry), the process goes, the row is stored terminated and resumable. */
  async serverStopped(): Promise<void> {
    this.failTurn('The server is shutting down', 'retry');
    await this.whenReleased();
    if (!this.proc_) return;
    await this.stopProcess();
    this.dispatch({ type: 'server_stopped', reason: 'server_shutdown' });
  }

  /** A row left open by the last server run: stored terminated (resumable as it was). */
  leftByLastRun(): void {
    this.dispatch({ type: 'server_stopped', reason: 'server_restart' });
  }

  /** A new session with a copy of another's conversation: dormant until used. */
  forked(): void {
    this.dispatch({ type: 'forked' });
  }

  /** Stores changed options, saved and announced once. */
  setOptions(o: { model?: string; permissionMode?: SessionPermissionMode }): void {
    if (o.model !== undefined) this.row.model = o.model;
    if (o.permissionMode !== undefined) this.row.permission_mode = o.permissionMode;
    this.host.save(this.record());
    this.host.announce(this.summary());
  }

  /** Renames the session: stored and announced at once. */
  rename(title: string): void {
    this.row.title = title;
    this.host.save(this.record());
    this.host.announce(this.summary());
  }

  // ------------------------------------------------------------ process

  /** Ends the process on purpose; resolves when it is gone. The session lives on. */
  async stopProcess(): Promise<void> {
    const proc = this.proc_;
    if (!proc) return;
    this.expectedExit = true;
    await proc.stop();
  }

  /** Gives the process up at once (its end is expected and no longer this session's concern). */
  private releaseProcess(): void {
    const proc = this.proc_;
    if (!proc) return;
    this.expectedExit = true;
    this.proc_ = null;
    const gone = proc.stop();
    this.exiting = gone;
    void gone.finally(() => {
      if (this.exiting === gone) this.exiting = null;
    });
    this.host.processGone(this, proc, 'released', true);
    this.dispatch({ type: 'process_died', expected: true, turn: false, reason: 'released' });
  }

  whenReleased(): Promise<unknown> {
    return this.exiting ?? Promise.resolve();
  }

  private processDied(proc: ClaudeProcess, reason: string): void {
    if (this.proc_ !== proc) return; // an old process of a restarted session
    this.proc_ = null;
    const expected = this.expectedExit;
    this.host.processGone(this, proc, reason, expected);
    const before = this.state_;
    this.dispatch({ type: 'process_died', expected, turn: this.turn_ !== null, reason });
    if (!expected && this.state_ === before) this.host.save(this.record()); // its pid is gone
  }

  // ------------------------------------------------------------ events

  emit(ev: EventInput): BufferedEvent {
    const full = this.events.push(ev, this.turn_ ? this.turn_.startEventId : Number.POSITIVE_INFINITY);
    this.host.publish(full);
    return full;
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
    const turn: LiveTurn = {
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
    this.turn_ = turn;
    this.lastUserMessageAt_ = Date.now();
    this.lastUsedAt_ = Date.now();
    this.row.message_count += 1;
    this.row.last_active_at = new Date().toISOString();
    // The first message names the session (clients learn it with the state move, or at once).
    const named = this.row.title === null && (this.row.title = defaultTitle(text)) !== null;
    const before = this.state_;
    // Without a live process the state moves when one is started (resuming -> active).
    this.dispatch({ type: 'turn_started', live: this.hasLiveProcess });
    if (this.state_ === before) {
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
    const turn = this.turn_;
    if (!turn) return; // e.g. a late message after an interrupt timeout
    for (const ev of turn.translator.push(msg)) this.emit(ev);
    if (msg.type !== 'result') return;
    const r = turn.translator.result;
    if (!r) return;
    const { cost, baseline } = turnCost(this.costBaseline, r.totalCostUsd, this.row.total_cost_usd);
    this.costBaseline = baseline;
    this.row.total_cost_usd += cost;
    const { frame, result } = turnEnding(turn, r, cost, this.row.total_cost_usd);
    this.emit(frame);
    this.endTurn(turn.translator.text.length > 0, result);
  }

  /**
   * Asks the process to stop the turn (idempotent). If the turn has not ended within `settleMs`
   * whatever the CLI does, it ends as interrupted and the process is stopped: the next message resumes.
   */
  async interrupt(settleMs: number, onStuck: () => void): Promise<void> {
    const turn = this.turn_;
    if (!turn || turn.interruptRequested) return;
    turn.interruptRequested = true;
    turn.interruptTimer = setTimeout(() => {
      if (this.turn_ !== turn) return;
      onStuck();
      this.interruptTurn();
      void this.stopProcess();
    }, settleMs);
    await this.proc_?.interrupt(settleMs);
  }

  /** Ends the turn in flight with an error frame: the one way a turn fails. */
  failTurn(error: string, action: SuggestedAction): void {
    const turn = this.turn_;
    if (!turn) return;
    const partial = turn.translator.text.length > 0;
    this.emit({ type: 'stream_error', error, partial_preserved: partial, suggested_action: action });
    this.endTurn(partial, { outcome: 'error', cost_usd: 0, turn_count: 0 });
  }

  /** Ends the turn in flight as stopped by the user (or by destroy). */
  interruptTurn(): void {
    const turn = this.turn_;
    if (!turn) return;
    turn.interruptRequested = true;
    this.emit({ type: 'stream_interrupted' });
    this.endTurn(turn.translator.text.length > 0, { outcome: 'interrupted', cost_usd: 0, turn_count: 0 });
  }

  /** Ends the turn in flight (if any): counts, stores, wakes waiters; a restart asked for meanwhile follows. */
  private endTurn(answered: boolean, result: TurnResult): void {
    const turn = this.turn_;
    if (!turn) return;
    if (turn.interruptTimer) clearTimeout(turn.interruptTimer);
    this.turn_ = null;
    if (answered) this.row.message_count += 1;
    this.row.last_active_at = new Date().toISOString();
    this.permissions.cancelAll('The turn ended');
    this.host.turnEnded(this, turn, result);
    const before = this.state_;
    this.dispatch({ type: 'turn_ended' });
    if (this.state_ === before) this.host.save(this.record());
    turn.finish();
    const restart = this.restartAfterTurn;
    if (restart) {
      this.restartAfterTurn = null;
      this.host.restartDue?.(this, restart);
    }
  }
}
