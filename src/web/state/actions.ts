// Everything that changes the UI state. Reducers are pure: whatever an action creates
// gets its id and time from the action, never from a clock or counter of their own.

import type { ServerFrame, SessionSummary } from '../../protocol/messages';
import type { AttachmentView } from '../attachments';
import type { ConnStatus, PermissionDecision } from './types';

export type Action =
  | { type: 'conn'; status: ConnStatus; error?: string | null; reconnectAt?: number | null; attempt?: number }
  /** A frame from the server; `id` is unique per received frame, `now` when it arrived (epoch ms). */
  | { type: 'frame'; frame: ServerFrame; id: string; now: number }
  | { type: 'select'; sessionId: string | null }
  | { type: 'creating_requested'; now: number }
  /** A message typed here, shown at once and confirmed by the server's turn_started. */
  | { type: 'local_send'; sessionId: string; text: string; id: string; attachments?: AttachmentView[] }
  /** A message typed here never reached the server (the connection dropped): it goes back to the box. */
  | { type: 'local_unsent'; sessionId: string }
  | { type: 'permission_answered'; requestId: string; answer: PermissionDecision }
  /** The session a /chat?resume= link named is not on this server. */
  | { type: 'resume_not_found' }
  | { type: 'dismiss'; key: string }
  /** load_history was sent for the page before the session's first loaded message. */
  | { type: 'earlier_requested'; sessionId: string }
  /** Archived or deleted: it leaves the list. */
  | { type: 'session_hidden'; sessionId: string }
  /** Restored from the archive: back in the list. */
  | { type: 'session_shown'; session: SessionSummary }
  | { type: 'reset' };

export type FrameAction = Extract<Action, { type: 'frame' }>;
