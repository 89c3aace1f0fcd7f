// What the session life announces. Metrics, the audit log, the webhook and the
// chat service listen to these events; none of them needs the manager itself.
import type { EventEmitter } from 'node:events';
import type { SessionSource, SessionSummary } from '../../protocol/messages.js';
import type { PermissionDecided } from '../agent-policy/permissions.js';
import type { BufferedEvent } from './session-events.js';

export interface SessionLifecycleEvents {
  /** Every frame of every session, numbered. */
  event: [BufferedEvent];
  updated: [SessionSummary];
  /** A session was deleted for good by its owner. */
  deleted: [{ session_id: string; user_id: string }];
  /** A new session is ready: how it was served and how long it took. */
  created: [{ session_id: string; user_id: string; source: SessionSource; seconds: number; cwd: string }];
  /** A session was ended; actor_user_id null: by the server itself (a limit, a failed resume). */
  ended: [{ session_id: string; user_id: string; reason: string; actor_user_id: string | null }];
  /** A session without a process got one again, on its conversation. */
  resumed: [{ session_id: string; user_id: string }];
  /** A tool call was decided; user_id is the session's owner, the only one who can answer it. */
  permission: [PermissionDecided & { session_id: string; user_id: string }];
}

/** Where the session events can be heard. */
export type SessionEventSource = Pick<EventEmitter<SessionLifecycleEvents>, 'on' | 'off'>;

/** Where the session events are told from. */
export type LifecycleEmitter = Pick<EventEmitter<SessionLifecycleEvents>, 'emit'>;
