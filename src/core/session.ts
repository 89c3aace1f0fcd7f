// One chat session: its metadata, the CLI process it owns (at most one at a
// time), the turn in flight, and its event log (for lossless reconnect).
import { randomUUID } from 'node:crypto';
import type { PermissionResult, SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import type { SessionMetadata } from '../db/session-repository.js';
import type { SessionEvent, SessionStatus, SessionSummary } from '../protocol/messages.js';
import type { ClaudeProcess } from './claude-process.js';
import { TurnTranslator } from './turn-translator.js';

/** Distributive Omit, so a union of frames keeps its members apart. */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type EventInput = DistributiveOmit<SessionEvent, 'event_id' | 'session_id'>;
export type BufferedEvent = SessionEvent & { event_id: number };

export interface TurnOutcome {
  outcome: 'complete' | 'interrupted' | 'error';
  cost_usd: number;
  turn_count: number;
}

export interface Turn {
  text: string;
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
  log: Logger;
  /** Every event of every session goes through here to the connections. */
  publish(ev: BufferedEvent): void;
  /** Summary changed (status, counts, cost). */
  updated(s: Session): void;
  persistActivity(s: Session): void;
  persistTurn(s: Session, turn: Turn, result: TurnOutcome): void;
  permissionTimeoutMs: number;
}

const EVENT_BUFFER_MAX = 5000;
/** Per session: large tool results must not let 5,000 events hold hundreds of MB (benchmarks F7). */
const EVENT_BUFFER_BYTES = 4 * 1024 * 1024;

/** Rough size of an event: its text-bearing fields, without serialising it. */
function approxSize(e: BufferedEvent): number {
  switch (e.type) {
    case 'stream_delta':
      return 120 + e.delta.length;
    case 'tool_use':
    case 'permission_request':
      return 200 + JSON.stringify(e.input).length;
    case 'tool_result':
      return 200 + JSON.stringify(e.result).length;
    case 'turn_started':
      return 120 + e.text.length;
    default:
      return 200;
  }
}

export class Session {
  readonly id: string;
  meta: SessionMetadata;
  proc: ClaudeProcess | null = null;
  /** In-memory state (spec §5.2); 'restarting' shows as active in summaries. */
  state: SessionStatus | 'restarting';
  turn: Turn | null = null;
  /** Set while we end the process on purpose, so its death is not reported as a crash. */
  expectedExit = false;
  /** Reason a restart waits for the current turn to end (memory limit). */
  restartAfterTurn: string | null = null;
  /** CLI cost counter is cumulative per process: the figure already counted (NaN: resumed, not yet known). */
  costBaseline = 0;
  /** When the current process was (re)started, for the monitor's grace period. */
  processStartedAt = 0;
  lastUserMessageAt = Date.now();
  /** Start of the current run (creation, or resume after termination): the duration limit counts from here. */
  runStartedAt = Date.now();
  /** Memory restarts are not checked again before this time (no restart storms). */
  memoryGraceUntil = 0;
  warnedDuration = false;
  readonly alwaysAllowed = new Set<string>();
  readonly pendingPermissions = new Map<
    string,
    { tool: string; input: Record<string, unknown>; resolve: (r: PermissionResult) => void; timer: NodeJS.Timeout }
  >();
  private readonly events: BufferedEvent[] = [];
  /**
   * Event ids start from the clock (µs-scale), so they keep increasing across server
   * restarts: a client's `after` from an earlier run can never skip new events.
   */
  private nextEventId = Date.now() * 1000 + 1;
  private eventBytes = 0;

  constructor(
    meta: SessionMetadata,
    private readonly host: SessionHost,
  ) {
    this.id = meta.session_id;
    this.meta = meta;
    this.state = meta.status;
  }

  get lastEventId(): number {
    return this.nextEventId - 1;
  }

  get isQueryActive(): boolean {
    return this.turn !== null;
  }

  get hasLiveProcess(): boolean {
    return this.proc !== null && this.proc.state !== 'dead';
  }

  summary(): SessionSummary {
    const status: SessionStatus = this.state === 'restarting' ? 'active' : this.state;
    return {
      session_id: this.id,
      status,
      created_at: this.meta.created_at,
      last_active_at: this.meta.last_active_at,
      message_count: this.meta.message_count,
      total_cost_usd: Math.round(this.meta.total_cost_usd * 1e6) / 1e6,
      is_resumable: this.meta.is_resumable,
    };
  }

  setState(s: SessionStatus | 'restarting'): void {
    if (this.state === s) return;
    this.state = s;
    this.host.updated(this);
  }

  emit(ev: EventInput): BufferedEvent {
    const full = { ...ev, session_id: this.id, event_id: this.nextEventId++ } as BufferedEvent;
    this.events.push(full);
    this.eventBytes += approxSize(full);
    if (this.events.length > EVENT_BUFFER_MAX || this.eventBytes > EVENT_BUFFER_BYTES) this.trimEvents();
    this.host.publish(full);
    return full;
  }

  /**
   * Drops the oldest events past the count or byte budget, in one splice, but never
   * the turn in flight: a reconnect must be able to replay all of it.
   */
  private trimEvents(): void {
    const keepFrom = this.turn ? this.turn.startEventId : Number.POSITIVE_INFINITY;
    let n = 0;
    while (
      n < this.events.length &&
      (this.events.length - n > EVENT_BUFFER_MAX || this.eventBytes > EVENT_BUFFER_BYTES) &&
      (this.events[n]?.event_id ?? 0) <= keepFrom
    ) {
      this.eventBytes -= approxSize(this.events[n] as BufferedEvent);
      n++;
    }
    if (n > 0) this.events.splice(0, n);
  }

  /** Buffered events after `after`, or undefined when the buffer no longer reaches back that far. */
  eventsAfter(after: number): BufferedEvent[] | undefined {
    if (after >= this.lastEventId) return [];
    const first = this.events[0];
    if (!first || first.event_id > after + 1) return undefined;
    return this.events.filter((e) => e.event_id > after);
  }

  // ------------------------------------------------------------ turns

  startTurn(text: string): Turn {
    let finish!: () => void;
    const done = new Promise<void>((r) => {
      finish = r;
    });
    const turn: Turn = {
      text,
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
    this.meta.message_count += 1;
    this.meta.last_active_at = new Date().toISOString();
    this.state = 'active';
    this.host.updated(this); // counts changed even when the status did not
    this.emit({ type: 'turn_started', text });
    return turn;
  }

  /** Feeds one SDK message of this session's process. Returns true when it ended the turn. */
  handleMessage(msg: SDKMessage): boolean {
    const turn = this.turn;
    if (!turn) return false; // e.g. a late message after an interrupt timeout
    for (const ev of turn.translator.push(msg)) this.emit(ev);
    if (msg.type !== 'result') return false;
    const r = turn.translator.result;
    if (!r) return false;
    const turnCost = this.takeCost(r.totalCostUsd);
    this.meta.total_cost_usd += turnCost;
    if (turn.interruptRequested) {
      this.emit({ type: 'stream_interrupted' });
    } else if (r.isError || r.subtype !== 'success' || turn.translator.errorText) {
      const why = turn.translator.errorText || r.errors.join('; ') || r.resultText || `The turn ended with ${r.subtype}`;
      this.emit({
        type: 'stream_error',
        error: why,
        partial_preserved: turn.translator.text.length > 0,
        suggested_action: 'retry',
      });
    } else {
      this.emit({ type: 'response_complete', cost_usd: Math.round(turnCost * 1e6) / 1e6, turn_count: r.numTurns });
    }
    const outcome = turn.interruptRequested
      ? 'interrupted'
      : r.isError || r.subtype !== 'success' || turn.translator.errorText
        ? 'error'
        : 'complete';
    this.endTurn(turn.translator.text.length > 0, { outcome, cost_usd: turnCost, turn_count: r.numTurns });
    return true;
  }

  /**
   * The CLI reports cost cumulatively per process, and a resumed process may
   * start from the total its transcript saved. The first result of a resumed
   * process tells which: a total at or above what we stored carried over.
   */
  private takeCost(total: number): number {
    if (Number.isNaN(this.costBaseline)) {
      const stored = this.meta.total_cost_usd;
      this.costBaseline = total + 1e-9 >= stored ? stored : 0;
    }
    const cost = Math.max(0, total - this.costBaseline);
    this.costBaseline = Math.max(this.costBaseline, total);
    return cost;
  }

  /** Ends the turn in flight (if any): counts, persists, wakes waiters. */
  endTurn(answered: boolean, result?: TurnOutcome): void {
    const turn = this.turn;
    if (!turn) return;
    this.host.persistTurn(this, turn, result ?? { outcome: turn.interruptRequested ? 'interrupted' : 'error', cost_usd: 0, turn_count: 0 });
    if (turn.interruptTimer) clearTimeout(turn.interruptTimer);
    this.turn = null;
    if (answered) this.meta.message_count += 1;
    this.meta.last_active_at = new Date().toISOString();
    for (const [id, p] of this.pendingPermissions) {
      clearTimeout(p.timer);
      p.resolve({ behavior: 'deny', message: 'The turn ended' });
      this.pendingPermissions.delete(id);
    }
    if (this.state === 'active') this.state = 'idle';
    this.host.persistActivity(this);
    this.host.updated(this);
    turn.finish();
  }

  // ------------------------------------------------------------ permissions

  requestPermission(tool: string, input: Record<string, unknown>, signal: AbortSignal): Promise<PermissionResult> {
    if (this.alwaysAllowed.has(tool)) return Promise.resolve({ behavior: 'allow', updatedInput: input });
    const request_id = randomUUID();
    const timeoutMs = this.host.permissionTimeoutMs;
    return new Promise<PermissionResult>((resolve) => {
      const settle = (r: PermissionResult) => {
        const p = this.pendingPermissions.get(request_id);
        if (!p) return;
        clearTimeout(p.timer);
        this.pendingPermissions.delete(request_id);
        resolve(r);
      };
      const timer = setTimeout(
        () => settle({ behavior: 'deny', message: `No answer to the permission request within ${Math.round(timeoutMs / 1000)} s` }),
        timeoutMs,
      );
      this.pendingPermissions.set(request_id, { tool, input, resolve: settle, timer });
      signal.addEventListener('abort', () => settle({ behavior: 'deny', message: 'Cancelled' }), { once: true });
      this.emit({ type: 'permission_request', request_id, tool, input, timeout_seconds: Math.round(timeoutMs / 1000) });
    });
  }

  /** Returns false when no such request is pending. */
  answerPermission(requestId: string, decision: 'allow' | 'deny' | 'allow_always'): boolean {
    const p = this.pendingPermissions.get(requestId);
    if (!p) return false;
    if (decision === 'allow_always') this.alwaysAllowed.add(p.tool);
    p.resolve(
      decision === 'deny' ? { behavior: 'deny', message: 'The user denied this tool call' } : { behavior: 'allow', updatedInput: p.input },
    );
    return true;
  }
}
