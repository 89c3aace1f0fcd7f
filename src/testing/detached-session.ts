// A Session with no manager, database or process behind it: for unit tests and
// micro-benchmarks of the event path (translator, event buffer, hub).
import pino from 'pino';
import { Session, type SessionHost } from '../core/session.js';

export function detachedSession(sessionId: string, host: Partial<SessionHost> = {}): Session {
  const now = new Date().toISOString();
  return new Session(
    {
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
    },
    {
      log: pino({ level: 'silent' }),
      publish: () => {},
      updated: () => {},
      persistActivity: () => {},
      persistTurn: () => {},
      permissionTimeoutMs: 1000,
      ...host,
    },
  );
}
