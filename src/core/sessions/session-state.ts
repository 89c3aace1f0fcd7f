// A session's life as one function: what happened to it (a named event) and the
// state it is in give its next state and what must be done about it (effects).
// Session.dispatch() is the only caller; it applies the effects, then saves the
// row once and announces `session_updated` once when the state moved.
import type { SessionStatus } from '../../protocol/messages.js';

export type SessionState =
  /** Its first process is starting. */
  | 'creating'
  /** Created, no turn yet. */
  | 'ready'
  /** No turn in flight (the process may have died: the next message resumes it). */
  | 'idle'
  /** A turn in flight. */
  | 'active'
  /** Its process is being replaced by a fresh one on the same conversation. */
  | 'restarting'
  /** A process is starting for a session that had none (terminated, dormant, or after a crash). */
  | 'resuming'
  /** Its process was released to make room; the next message resumes it. */
  | 'dormant'
  | 'terminated';

/** What happens to a session. */
export type LifeEvent =
  /** A process is up: the first one (creating), a resumed one or a restarted one. `turn`: a message waits for it. */
  | { type: 'process_started'; turn: boolean }
  /** The session's process ended. `expected`: we stopped it. `turn`: a turn was in flight. */
  | { type: 'process_died'; expected: boolean; turn: boolean; reason: string }
  /** A message starts a turn; `live`: the process is up (otherwise the resume moves the state). */
  | { type: 'turn_started'; live: boolean }
  | { type: 'turn_ended' }
  /** A process is needed for a session without one (a message, a switch, a rewind). */
  | { type: 'resume_requested' }
  /** The start of that process failed; `transcriptLost`: the CLI has no conversation to resume. */
  | { type: 'resume_failed'; transcriptLost: boolean }
  /** The process is to be replaced on the same conversation (memory limit). */
  | { type: 'restart_requested'; reason: 'memory_limit' }
  /** Another session needs its slot (SESSION_EVICTION=idle). */
  | { type: 'evicted' }
  /** Another replica asked for it (a message for it reached that one): let go between turns. */
  | { type: 'handed_over' }
  /** Another replica holds its lease now (this one was paused or cut off): stop at once, write nothing. */
  | { type: 'lease_lost' }
  /** Ended by a user, an admin or a limit; its process is stopped already. */
  | { type: 'destroyed'; reason: string }
  /** A new session holding a copy of another's conversation, without a process until used. */
  | { type: 'forked' }
  /** The server stops (server_shutdown), or starts and finds the session left open by the last run (server_restart). */
  | { type: 'server_stopped'; reason: 'server_shutdown' | 'server_restart' };

export type Effect =
  /** Give the capacity slot back: the process it was for has ended, or will not start. */
  | { kind: 'release_slot' }
  /** Let the process go (its end is expected). */
  | { kind: 'release_process' }
  /** Free the event buffer (a reconnecting client gets the history instead). */
  | { kind: 'drop_events' }
  | { kind: 'fail_turn'; message: string; action: 'retry' | 'new_session' }
  /** A new run after termination: the duration and idle limits count from now. */
  | { kind: 'start_run' }
  /** Store why the session ended and whether it can come back. */
  | { kind: 'mark_ended'; reason: string; resumable: boolean | 'keep' }
  /** A resumed process serves the conversation again: resumable, no ending reason. */
  | { kind: 'mark_resumed' }
  | { kind: 'tell'; frame: 'session_restarting'; reason: 'memory_limit'; message: string }
  | { kind: 'tell'; frame: 'session_terminated'; reason: string; message: string };

export interface Step {
  next: SessionState;
  effects: Effect[];
  /** The move is neither saved nor announced: the row is another replica's now. */
  quiet?: true;
}

/** Where a session came from before `resuming`/`restarting`: a failed start goes back there. */
export interface StepContext {
  resumedFrom: SessionState | null;
}

const RESTART_MESSAGE = 'Session restarting to maintain performance. Your conversation will be preserved.';
const MOVED = 'This session moved to another server. Send your message again: the conversation is kept.';
const NOT_RESTORED = 'This conversation could not be restored. Start a new session to continue.';

/** The next state and its effects; throws InvalidTransitionError for an event the state does not allow. */
export function step(state: SessionState, ev: LifeEvent, ctx: StepContext = { resumedFrom: null }): Step {
  const stay = (effects: Effect[] = []): Step => ({ next: state, effects });
  const to = (next: SessionState, effects: Effect[] = []): Step => ({ next, effects });
  const refuse = (): never => {
    throw new InvalidTransitionError(state, ev.type);
  };
  switch (ev.type) {
    case 'process_started':
      if (state === 'creating') return to('ready');
      if (state === 'resuming' || state === 'restarting') {
        const fresh: Effect[] = ctx.resumedFrom === 'terminated' ? [{ kind: 'start_run' }] : [];
        return to(ev.turn ? 'active' : 'idle', [{ kind: 'mark_resumed' }, ...fresh]);
      }
      return refuse();
    case 'process_died': {
      // A replacement on its way keeps the slot; otherwise the slot goes with the process.
      const effects: Effect[] = state === 'restarting' || state === 'resuming' ? [] : [{ kind: 'release_slot' }];
      if (ev.expected) return stay(effects);
      // The reason (a signal, the CLI's stderr) is logged (processGone); the person reads what happened and what to do.
      if (ev.turn)
        effects.push({ kind: 'fail_turn', message: 'The agent process stopped unexpectedly. Your conversation is kept.', action: 'retry' });
      return state === 'ready' || state === 'active' ? to('idle', effects) : stay(effects);
    }
    case 'turn_started':
      if (state === 'active') return refuse();
      // Without a live process the start of one moves the state (resuming/restarting -> active).
      return ev.live && (state === 'ready' || state === 'idle') ? to('active') : stay();
    case 'turn_ended':
      return state === 'active' ? to('idle') : stay();
    case 'resume_requested':
      if (state === 'restarting') return stay(); // the restart's own start
      if (state === 'ready' || state === 'idle' || state === 'dormant' || state === 'terminated') return to('resuming');
      return refuse();
    case 'resume_failed': {
      if (state !== 'resuming' && state !== 'restarting') return stay([{ kind: 'release_slot' }]);
      if (ev.transcriptLost)
        return to('terminated', [
          { kind: 'release_slot' },
          {
            kind: 'fail_turn',
            message: 'This conversation could not be restored (its transcript is missing). Start a new session to continue.',
            action: 'new_session',
          },
          { kind: 'mark_ended', reason: 'resume_failed', resumable: false },
          { kind: 'tell', frame: 'session_terminated', reason: 'resume_failed', message: NOT_RESTORED },
        ]);
      // Back where it was; a restart or a fresh session without a process is simply idle.
      const from = ctx.resumedFrom;
      const back = state === 'restarting' || from === null || from === 'ready' || from === 'restarting' ? 'idle' : from;
      return to(back, [{ kind: 'release_slot' }]);
    }
    case 'restart_requested':
      if (state === 'ready' || state === 'idle' || state === 'active')
        return to('restarting', [{ kind: 'tell', frame: 'session_restarting', reason: ev.reason, message: RESTART_MESSAGE }]);
      return stay(); // nothing to restart (no process, or already on it)
    case 'evicted':
    case 'handed_over':
      if (state !== 'ready' && state !== 'idle') return refuse();
      return to('dormant', [{ kind: 'release_process' }, { kind: 'drop_events' }]);
    case 'lease_lost':
      if (state === 'creating' || state === 'dormant' || state === 'terminated') return { ...stay(), quiet: true };
      return {
        next: 'dormant',
        effects: [{ kind: 'fail_turn', message: MOVED, action: 'retry' }, { kind: 'release_process' }, { kind: 'drop_events' }],
        quiet: true,
      };
    case 'destroyed':
      if (state === 'terminated') return stay();
      // A process starting meanwhile is never adopted: its slot goes now.
      return to('terminated', [{ kind: 'release_slot' }, { kind: 'mark_ended', reason: ev.reason, resumable: 'keep' }]);
    case 'forked':
      return state === 'creating' ? to('dormant') : refuse();
    case 'server_stopped':
      if (state === 'terminated') return stay();
      return to('terminated', [{ kind: 'release_slot' }, { kind: 'mark_ended', reason: ev.reason, resumable: 'keep' }]);
  }
}

/** A session loaded from its row has no process here: one stored as working (on another replica, or left by a crash) is idle. */
export function stateOnLoad(status: SessionStatus): SessionState {
  return status === 'active' || status === 'creating' ? 'idle' : status;
}

/** What clients see: a session whose process is being (re)started is working, so it shows active. */
export function publicStatus(state: SessionState): SessionStatus {
  switch (state) {
    case 'ready':
    case 'restarting':
    case 'resuming':
      return 'active';
    default:
      return state;
  }
}

export class InvalidTransitionError extends Error {
  constructor(
    readonly from: SessionState,
    readonly event: LifeEvent['type'],
  ) {
    super(`a ${from} session cannot take ${event}`);
  }
}
