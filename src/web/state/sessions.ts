// The session list, the open session, and a session being created.
import type { SessionSummary } from '../../protocol/messages';
import type { Action } from './actions';
import type { SessionsState } from './types';

export const initialSessions: SessionsState = { list: [], currentId: null, creating: null };

function sortSessions(list: SessionSummary[]): SessionSummary[] {
  return [...list].sort((a, b) => b.last_active_at.localeCompare(a.last_active_at) || b.created_at.localeCompare(a.created_at));
}

export function upsertSession(list: SessionSummary[], s: SessionSummary): SessionSummary[] {
  const i = list.findIndex((x) => x.session_id === s.session_id);
  if (i === -1) return sortSessions([...list, s]);
  const copy = [...list];
  copy[i] = s;
  return sortSessions(copy);
}

/** Takes a session out of the list (archived or deleted); `close`: it is not the open one any more either. */
function hide(s: SessionsState, id: string, close: boolean): SessionsState {
  return {
    ...s,
    list: s.list.filter((x) => x.session_id !== id),
    hidden: s.hidden?.includes(id) ? s.hidden : [...(s.hidden ?? []), id],
    currentId: close && s.currentId === id ? null : s.currentId,
  };
}

export function sessionsReducer(s: SessionsState, a: Action): SessionsState {
  switch (a.type) {
    case 'conn':
      // A dropped connection drops the creation it was waiting for.
      return a.status === 'reconnecting' && s.creating ? { ...s, creating: null } : s;
    case 'select':
      return { ...s, currentId: a.sessionId };
    case 'resume_not_found':
      return { ...s, currentId: null };
    case 'session_hidden':
      return hide(s, a.sessionId, true);
    case 'session_shown':
      return { ...s, list: upsertSession(s.list, a.session), hidden: (s.hidden ?? []).filter((id) => id !== a.session.session_id) };
    case 'creating_requested':
      return { ...s, creating: { estimatedSeconds: 0, startedAt: a.now } };
    case 'frame':
      break;
    default:
      return s;
  }
  const f = a.frame;
  // Archived or restored in another tab (or this one): the row leaves the list, or comes back, at once.
  if (f.type === 'session_updated' && f.session.archived === true) return hide(s, f.session.session_id, false);
  if (f.type === 'session_updated' && f.session.archived === false)
    return { ...s, list: upsertSession(s.list, f.session), hidden: (s.hidden ?? []).filter((id) => id !== f.session.session_id) };
  if (f.type === 'session_deleted') return hide(s, f.session_id, true);
  // The server's list leaves archived and deleted sessions out; their later updates (a status change) are ignored here.
  if ('session' in f && f.session && s.hidden?.includes(f.session.session_id)) return s;
  if (f.type === 'session_terminated' && s.hidden?.includes(f.session_id)) return s;
  switch (f.type) {
    case 'session_list':
      // What the list leaves out stays hidden (a live archived session's status changes do not say it is archived).
      return {
        ...s,
        list: sortSessions(f.sessions),
        hidden: (s.hidden ?? []).filter((id) => !f.sessions.some((x) => x.session_id === id)),
      };
    case 'session_updated':
      return { ...s, list: upsertSession(s.list, f.session) };
    case 'session_history':
      return { ...s, list: upsertSession(s.list, f.session) };
    case 'session_creating':
      return { ...s, creating: { estimatedSeconds: f.estimated_seconds, startedAt: a.now } };
    case 'session_ready': {
      const next = { ...s, creating: null, currentId: f.session_id };
      if (s.list.some((x) => x.session_id === f.session_id)) return next;
      // Listed at once; the server's session_updated brings the real summary.
      const iso = new Date(a.now).toISOString();
      return {
        ...next,
        list: upsertSession(s.list, {
          session_id: f.session_id,
          status: 'active',
          created_at: iso,
          last_active_at: iso,
          message_count: 0,
          total_cost_usd: 0,
          is_resumable: true,
        }),
      };
    }
    case 'session_terminated': {
      const cur = s.list.find((x) => x.session_id === f.session_id);
      if (!cur) return s;
      return { ...s, list: upsertSession(s.list, { ...cur, status: 'terminated', is_resumable: f.resume_url !== null }) };
    }
    case 'error':
      // A refused create (any code: the session limit, capacity, budget...) is not starting any more.
      return s.creating && !f.session_id ? { ...s, creating: null } : s;
    default:
      return s;
  }
}
