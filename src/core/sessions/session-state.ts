// The states of a session and the one table of moves between them. Every move
// goes through Session.transition(), which checks this table, saves once and
// announces `session_updated` once.
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

export const TRANSITIONS: Readonly<Record<SessionState, readonly SessionState[]>> = {
  creating: ['ready', 'terminated'],
  ready: ['active', 'idle', 'restarting', 'resuming', 'dormant', 'terminated'],
  idle: ['active', 'restarting', 'resuming', 'dormant', 'terminated'],
  active: ['idle', 'restarting', 'terminated'],
  restarting: ['idle', 'active', 'terminated'],
  resuming: ['idle', 'active', 'dormant', 'terminated'],
  dormant: ['resuming', 'terminated'],
  terminated: ['resuming'],
};

export function canTransition(from: SessionState, to: SessionState): boolean {
  return TRANSITIONS[from].includes(to);
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
    readonly to: SessionState,
    readonly cause_: string,
  ) {
    super(`session cannot go from ${from} to ${to} (${cause_})`);
  }
}
