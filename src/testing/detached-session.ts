// A Session with no manager, database or process behind it: for unit tests and
// micro-benchmarks of the event path (translator, event buffer, state table).

import { Session, type SessionHost } from '../core/sessions/session.js';
import type { SessionState } from '../core/sessions/session-state.js';
import type { SessionMetadata } from '../db/ports.js';

export function detachedSession(sessionId: string, host: Partial<SessionHost> = {}, state: SessionState = 'idle'): Session {
  const now = new Date().toISOString();
  const meta: SessionMetadata = {
    session_id: sessionId,
    user_id: 'default',
    status: 'idle',
    created_at: now,
    last_active_at: now,
    subprocess_pid: null,
    message_count: 0,
    total_cost_usd: 0,
    is_resumable: true,
    terminated_reason: null,
    title: null,
  };
  return new Session(
    meta,
    {
      publish: () => {},
      save: () => {},
      announce: () => {},
      turnEnded: () => {},
      processGone: () => {},
      releaseSlot: () => {},
      permissionTimeoutMs: 1000,
      projectDir: process.cwd(),
      ...host,
    },
    state,
  );
}
