// Notices above the conversation: from the server (warnings, restarts, ends, errors) and
// about the connection. Each has a key, so a newer one of the same kind replaces the older.
import type { Action } from './actions';
import type { Banner } from './types';

export function setBanner(banners: Banner[], b: Banner): Banner[] {
  return [...banners.filter((x) => x.key !== b.key), b];
}

export function dropBanners(banners: Banner[], pred: (b: Banner) => boolean): Banner[] {
  const out = banners.filter((b) => !pred(b));
  return out.length === banners.length ? banners : out;
}

const ofSession =
  (sid: string, ...kinds: Banner['kind'][]) =>
  (b: Banner) =>
    b.sessionId === sid && kinds.includes(b.kind);

export function bannersReducer(s: Banner[], a: Action): Banner[] {
  switch (a.type) {
    case 'conn':
      if (a.status === 'reconnecting')
        return setBanner(s, { key: 'connection', kind: 'connection', sessionId: null, message: 'Connection lost. Reconnecting…' });
      if (a.status === 'open') return dropBanners(s, (b) => b.kind === 'connection');
      return s;
    case 'select':
      return dropBanners(s, (b) => b.kind === 'error');
    case 'local_send':
      return dropBanners(s, (b) => b.kind === 'error' || (b.kind === 'stream_error' && b.sessionId === a.sessionId));
    case 'resume_not_found':
      return setBanner(s, {
        key: 'error:session_not_found',
        kind: 'error',
        sessionId: null,
        message: 'The session to resume was not found.',
      });
    case 'dismiss':
      return s.filter((b) => b.key !== a.key);
    case 'frame':
      break;
    default:
      return s;
  }
  const f = a.frame;
  switch (f.type) {
    case 'session_list':
      // A fresh connection: the old one's connection-level banners are stale.
      return dropBanners(s, (b) => b.kind === 'server_shutting_down' || b.kind === 'connection');
    case 'session_updated':
      return f.session.status === 'terminated' ? s : dropBanners(s, ofSession(f.session.session_id, 'session_terminated'));
    case 'session_history': {
      const next = dropBanners(s, ofSession(f.session_id, 'session_opened_elsewhere', 'session_restarting'));
      return f.session.status === 'terminated' ? next : dropBanners(next, ofSession(f.session_id, 'session_terminated'));
    }
    case 'session_opened_elsewhere':
      return setBanner(s, {
        key: `elsewhere:${f.session_id}`,
        kind: 'session_opened_elsewhere',
        sessionId: f.session_id,
        message: f.message,
      });
    case 'server_shutting_down':
      return setBanner(s, { key: 'shutdown', kind: 'server_shutting_down', sessionId: null, message: f.message });
    case 'error':
      return setBanner(s, { key: `error:${f.code}`, kind: 'error', sessionId: f.session_id ?? null, message: f.message, code: f.code });
    case 'turn_started':
      return dropBanners(s, ofSession(f.session_id, 'stream_error', 'session_restarting'));
    case 'response_complete':
      return dropBanners(s, ofSession(f.session_id, 'session_restarting'));
    case 'stream_error':
      return setBanner(s, {
        key: `stream_error:${f.session_id}`,
        kind: 'stream_error',
        sessionId: f.session_id,
        message: f.error,
        action: f.suggested_action,
      });
    case 'session_warning':
      return setBanner(s, {
        key: `warning:${f.session_id}`,
        kind: 'session_warning',
        sessionId: f.session_id,
        message: f.message,
        deadline: a.now + f.remaining_seconds * 1000,
      });
    case 'session_restarting':
      return setBanner(s, { key: `restarting:${f.session_id}`, kind: 'session_restarting', sessionId: f.session_id, message: f.message });
    case 'session_terminated':
      return setBanner(dropBanners(s, ofSession(f.session_id, 'session_warning', 'session_restarting')), {
        key: `terminated:${f.session_id}`,
        kind: 'session_terminated',
        sessionId: f.session_id,
        message: f.message,
        resumeUrl: f.resume_url,
      });
    default:
      return s;
  }
}
