// The UI state and the one reducer that turns server frames (and local
// actions) into it. Pure: no sockets, no DOM, so it is easy to test.
import type { ClientMessage, HistoryMessage, ServerFrame, SessionSummary } from '../protocol/messages';

export type ConnState = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'auth_failed';

export interface ToolItem {
  kind: 'tool';
  id: string;
  tool: string;
  input: Record<string, unknown>;
  status: 'executing' | 'success' | 'error';
  result: Record<string, unknown> | null;
  durationMs: number | null;
}

export type PermissionDecision = Extract<ClientMessage, { type: 'permission_response' }>['decision'];

export interface PermissionItem {
  kind: 'permission';
  id: string;
  requestId: string;
  tool: string;
  input: Record<string, unknown>;
  timeoutSeconds: number;
  receivedAt: number;
  /** What "Always allow" would allow, as the server words it (null: the whole tool). */
  alwaysAllowScope: string | null;
  answer: PermissionDecision | 'expired' | null;
}

export type Item =
  | { kind: 'user'; id: string; text: string; pending?: boolean }
  | { kind: 'assistant'; id: string; text: string; streaming: boolean }
  | ToolItem
  | PermissionItem
  | { kind: 'complete'; id: string; costUsd: number; turns: number }
  | { kind: 'notice'; id: string; tone: 'info' | 'error'; text: string };

export interface Transcript {
  items: Item[];
  /** Highest event_id seen for this session (for lossless reconnect). */
  lastEventId: number;
  streaming: boolean;
  loaded: boolean;
  lastUserText: string | null;
  retrying: { attempt: number; max: number } | null;
}

export type BannerKind =
  | 'session_warning'
  | 'session_restarting'
  | 'session_terminated'
  | 'session_opened_elsewhere'
  | 'server_shutting_down'
  | 'stream_error'
  | 'connection'
  | 'error';

export interface Banner {
  key: string;
  kind: BannerKind;
  sessionId: string | null;
  message: string;
  /** session_warning: when the session ends (epoch ms). */
  deadline?: number;
  /** session_terminated: where to resume. */
  resumeUrl?: string | null;
  /** stream_error: the suggested action. */
  action?: 'retry' | 'new_session' | 'none';
}

export interface State {
  conn: ConnState;
  connError: string | null;
  reconnectAt: number | null;
  attempt: number;
  sessions: SessionSummary[];
  currentId: string | null;
  transcripts: Record<string, Transcript>;
  creating: { estimatedSeconds: number; startedAt: number } | null;
  banners: Banner[];
  /** The server said it is going away: its event ids will not carry over. */
  serverRestarting: boolean;
}

export const initialState: State = {
  conn: 'idle',
  connError: null,
  reconnectAt: null,
  attempt: 0,
  sessions: [],
  currentId: null,
  transcripts: {},
  creating: null,
  banners: [],
  serverRestarting: false,
};

export type Action =
  | { type: 'conn'; conn: ConnState; error?: string | null; reconnectAt?: number | null; attempt?: number }
  | { type: 'frame'; frame: ServerFrame; now: number }
  | { type: 'select'; sessionId: string | null }
  | { type: 'creating_requested' }
  | { type: 'local_send'; sessionId: string; text: string }
  | { type: 'permission_answered'; requestId: string; answer: PermissionItem['answer'] }
  | { type: 'dismiss'; key: string }
  /** The server restarted: event ids start over, so every transcript needs its full history again. */
  | { type: 'forget_event_ids' }
  | { type: 'reset' };

let uid = 0;
const nextId = (p: string) => `${p}${++uid}`;

export const emptyTranscript = (): Transcript => ({
  items: [],
  lastEventId: 0,
  streaming: false,
  loaded: false,
  lastUserText: null,
  retrying: null,
});

function sortSessions(list: SessionSummary[]): SessionSummary[] {
  return [...list].sort((a, b) => b.last_active_at.localeCompare(a.last_active_at) || b.created_at.localeCompare(a.created_at));
}

function upsertSession(list: SessionSummary[], s: SessionSummary): SessionSummary[] {
  const i = list.findIndex((x) => x.session_id === s.session_id);
  if (i === -1) return sortSessions([...list, s]);
  const copy = [...list];
  copy[i] = s;
  return sortSessions(copy);
}

function setBanner(banners: Banner[], b: Banner): Banner[] {
  return [...banners.filter((x) => x.key !== b.key), b];
}

function dropBanners(banners: Banner[], pred: (b: Banner) => boolean): Banner[] {
  const out = banners.filter((b) => !pred(b));
  return out.length === banners.length ? banners : out;
}

/** Items of a stored conversation, tool results merged into their calls. */
export function itemsFromHistory(messages: HistoryMessage[]): Item[] {
  const items: Item[] = [];
  const tools = new Map<string, ToolItem>();
  for (const m of messages) {
    switch (m.type) {
      case 'user':
        items.push({ kind: 'user', id: nextId('u'), text: m.text });
        break;
      case 'assistant': {
        const last = items[items.length - 1];
        if (last?.kind === 'assistant') last.text += m.text;
        else items.push({ kind: 'assistant', id: nextId('a'), text: m.text, streaming: false });
        break;
      }
      case 'tool_use': {
        const t: ToolItem = {
          kind: 'tool',
          id: m.tool_use_id,
          tool: m.tool,
          input: m.input,
          status: 'executing',
          result: null,
          durationMs: null,
        };
        tools.set(m.tool_use_id, t);
        items.push(t);
        break;
      }
      case 'tool_result': {
        const t = tools.get(m.tool_use_id);
        if (t) {
          t.status = m.status;
          t.result = m.result;
          t.durationMs = m.duration_ms ?? null;
        }
        break;
      }
      case 'turn_result':
        // the stored outcome of a turn: the same line a live answer ends with
        if (m.outcome === 'complete') items.push({ kind: 'complete', id: nextId('c'), costUsd: m.cost_usd, turns: m.turn_count });
        else if (m.outcome === 'interrupted') items.push({ kind: 'notice', id: nextId('n'), tone: 'info', text: 'Stopped.' });
        break;
    }
  }
  return items;
}

function endStreaming(items: Item[]): Item[] {
  return items.map((it) => (it.kind === 'assistant' && it.streaming ? { ...it, streaming: false } : it));
}

/** Applies one session-stream frame to a transcript. */
function applySessionEvent(t: Transcript, f: ServerFrame, now: number): Transcript {
  const items = t.items;
  switch (f.type) {
    case 'turn_started': {
      const i = items.findIndex((it) => it.kind === 'user' && it.pending && it.text === f.text);
      const next =
        i >= 0
          ? items.map((it, j) => (j === i ? { ...it, pending: false } : it))
          : [...items, { kind: 'user' as const, id: nextId('u'), text: f.text }];
      return { ...t, items: next, streaming: true, lastUserText: f.text, retrying: null };
    }
    case 'stream_delta': {
      const last = items[items.length - 1];
      if (last?.kind === 'assistant' && last.streaming)
        return { ...t, streaming: true, retrying: null, items: [...items.slice(0, -1), { ...last, text: last.text + f.delta }] };
      return {
        ...t,
        streaming: true,
        retrying: null,
        items: [...items, { kind: 'assistant', id: nextId('a'), text: f.delta, streaming: true }],
      };
    }
    case 'tool_use': {
      const tool: ToolItem = {
        kind: 'tool',
        id: f.tool_use_id,
        tool: f.tool,
        input: f.input,
        status: 'executing',
        result: null,
        durationMs: null,
      };
      return { ...t, streaming: true, items: [...endStreaming(items), tool] };
    }
    case 'tool_result':
      return {
        ...t,
        items: items.map((it) =>
          it.kind === 'tool' && it.id === f.tool_use_id ? { ...it, status: f.status, result: f.result, durationMs: f.duration_ms } : it,
        ),
      };
    case 'permission_request':
      return {
        ...t,
        items: [
          ...endStreaming(items),
          {
            kind: 'permission',
            id: nextId('p'),
            requestId: f.request_id,
            tool: f.tool,
            input: f.input,
            timeoutSeconds: f.timeout_seconds,
            receivedAt: now,
            alwaysAllowScope: f.always_allow_scope ?? null,
            answer: null,
          },
        ],
      };
    case 'response_complete':
      return {
        ...t,
        streaming: false,
        retrying: null,
        items: [...expirePermissions(endStreaming(items)), { kind: 'complete', id: nextId('c'), costUsd: f.cost_usd, turns: f.turn_count }],
      };
    case 'stream_interrupted':
      return {
        ...t,
        streaming: false,
        retrying: null,
        items: [...expirePermissions(endStreaming(items)), { kind: 'notice', id: nextId('n'), tone: 'info', text: 'Stopped.' }],
      };
    case 'stream_error':
      return {
        ...t,
        streaming: false,
        retrying: null,
        items: [...expirePermissions(endStreaming(items)), { kind: 'notice', id: nextId('n'), tone: 'error', text: f.error }],
      };
    case 'stream_status':
      return { ...t, retrying: { attempt: f.attempt, max: f.max_retries } };
    case 'session_terminated':
      return { ...t, streaming: false, retrying: null, items: expirePermissions(endStreaming(items)) };
    default:
      return t;
  }
}

function expirePermissions(items: Item[]): Item[] {
  return items.map((it) => (it.kind === 'permission' && it.answer === null ? { ...it, answer: 'expired' } : it));
}

function transcriptOf(s: State, id: string): Transcript {
  return s.transcripts[id] ?? emptyTranscript();
}

function withTranscript(s: State, id: string, t: Transcript): State {
  return { ...s, transcripts: { ...s.transcripts, [id]: t } };
}

function onFrame(s: State, f: ServerFrame, now: number): State {
  switch (f.type) {
    case 'session_list': {
      // A fresh connection: connection-level banners of the old one are stale.
      return {
        ...s,
        sessions: sortSessions(f.sessions),
        serverRestarting: false,
        banners: dropBanners(s.banners, (b) => b.kind === 'server_shutting_down' || b.kind === 'connection'),
      };
    }
    case 'session_updated': {
      const next = { ...s, sessions: upsertSession(s.sessions, f.session) };
      if (f.session.status !== 'terminated')
        next.banners = dropBanners(s.banners, (b) => b.sessionId === f.session.session_id && b.kind === 'session_terminated');
      return next;
    }
    case 'session_creating':
      return { ...s, creating: { estimatedSeconds: f.estimated_seconds, startedAt: now } };
    case 'session_ready': {
      const t = { ...emptyTranscript(), loaded: true };
      const next = withTranscript({ ...s, creating: null, currentId: f.session_id }, f.session_id, t);
      if (!s.sessions.some((x) => x.session_id === f.session_id)) {
        const iso = new Date(now).toISOString();
        next.sessions = upsertSession(s.sessions, {
          session_id: f.session_id,
          status: 'active',
          created_at: iso,
          last_active_at: iso,
          message_count: 0,
          total_cost_usd: 0,
          is_resumable: true,
        });
      }
      return next;
    }
    case 'message_received':
      return s;
    case 'session_history': {
      const prev = transcriptOf(s, f.session_id);
      // Messages typed but not yet confirmed by turn_started stay visible.
      const pending = prev.items.filter((it) => it.kind === 'user' && it.pending);
      const t: Transcript = {
        items: [...itemsFromHistory(f.messages), ...pending],
        lastEventId: f.last_event_id,
        streaming: f.is_query_active,
        loaded: true,
        lastUserText: [...f.messages].reverse().find((m) => m.type === 'user')?.text ?? prev.lastUserText,
        retrying: null,
      };
      const next = withTranscript({ ...s, sessions: upsertSession(s.sessions, f.session) }, f.session_id, t);
      next.banners = dropBanners(
        s.banners,
        (b) => b.sessionId === f.session_id && (b.kind === 'session_opened_elsewhere' || b.kind === 'session_restarting'),
      );
      if (f.session.status !== 'terminated')
        next.banners = dropBanners(next.banners, (b) => b.sessionId === f.session_id && b.kind === 'session_terminated');
      return next;
    }
    case 'session_opened_elsewhere':
      return {
        ...s,
        banners: setBanner(s.banners, {
          key: `elsewhere:${f.session_id}`,
          kind: 'session_opened_elsewhere',
          sessionId: f.session_id,
          message: f.message,
        }),
      };
    case 'server_shutting_down':
      return {
        ...s,
        serverRestarting: true,
        banners: setBanner(s.banners, { key: 'shutdown', kind: 'server_shutting_down', sessionId: null, message: f.message }),
      };
    case 'error': {
      let next = s;
      if (f.session_id) {
        const t = s.transcripts[f.session_id];
        if (t) {
          // A rejected message: it never became a turn.
          const items = t.items.filter((it) => !(it.kind === 'user' && it.pending));
          next = withTranscript(s, f.session_id, { ...t, items });
        }
      }
      if (f.code === 'capacity_exceeded' || f.code === 'internal_error') next = { ...next, creating: null };
      return {
        ...next,
        banners: setBanner(next.banners, { key: `error:${f.code}`, kind: 'error', sessionId: f.session_id ?? null, message: f.message }),
      };
    }
    default:
      break;
  }

  // Frames of one session's event stream.
  if (!('session_id' in f) || !('event_id' in f)) return s;
  const sid = f.session_id;
  const t = transcriptOf(s, sid);
  if (f.event_id !== undefined) {
    if (f.event_id <= t.lastEventId) return s; // already seen (replay overlap)
  }
  let next = withTranscript(s, sid, {
    ...applySessionEvent(t, f, now),
    lastEventId: f.event_id ?? t.lastEventId,
  });
  switch (f.type) {
    case 'turn_started':
      next.banners = dropBanners(
        next.banners,
        (b) => b.sessionId === sid && (b.kind === 'stream_error' || b.kind === 'session_restarting'),
      );
      break;
    case 'response_complete':
      next.banners = dropBanners(next.banners, (b) => b.sessionId === sid && b.kind === 'session_restarting');
      break;
    case 'stream_error':
      next.banners = setBanner(next.banners, {
        key: `stream_error:${sid}`,
        kind: 'stream_error',
        sessionId: sid,
        message: f.error,
        action: f.suggested_action,
      });
      break;
    case 'session_warning':
      next.banners = setBanner(next.banners, {
        key: `warning:${sid}`,
        kind: 'session_warning',
        sessionId: sid,
        message: f.message,
        deadline: now + f.remaining_seconds * 1000,
      });
      break;
    case 'session_restarting':
      next.banners = setBanner(next.banners, { key: `restarting:${sid}`, kind: 'session_restarting', sessionId: sid, message: f.message });
      break;
    case 'session_terminated': {
      next.banners = setBanner(
        dropBanners(next.banners, (b) => b.sessionId === sid && (b.kind === 'session_warning' || b.kind === 'session_restarting')),
        {
          key: `terminated:${sid}`,
          kind: 'session_terminated',
          sessionId: sid,
          message: f.message,
          resumeUrl: f.resume_url,
        },
      );
      const cur = next.sessions.find((x) => x.session_id === sid);
      if (cur)
        next = { ...next, sessions: upsertSession(next.sessions, { ...cur, status: 'terminated', is_resumable: f.resume_url !== null }) };
      break;
    }
    default:
      break;
  }
  return next;
}

export function reducer(s: State, a: Action): State {
  switch (a.type) {
    case 'conn': {
      const next: State = {
        ...s,
        conn: a.conn,
        connError: a.error === undefined ? s.connError : a.error,
        reconnectAt: a.reconnectAt === undefined ? s.reconnectAt : a.reconnectAt,
        attempt: a.attempt ?? s.attempt,
      };
      if (a.conn === 'reconnecting') {
        next.creating = null;
        next.banners = setBanner(s.banners, {
          key: 'connection',
          kind: 'connection',
          sessionId: null,
          message: 'Connection lost. Reconnecting…',
        });
      } else if (a.conn === 'open') {
        next.banners = dropBanners(s.banners, (b) => b.kind === 'connection');
        next.connError = null;
      }
      return next;
    }
    case 'frame':
      return onFrame(s, a.frame, a.now);
    case 'select':
      return {
        ...s,
        currentId: a.sessionId,
        banners: dropBanners(s.banners, (b) => b.kind === 'error'),
      };
    case 'creating_requested':
      return { ...s, creating: { estimatedSeconds: 0, startedAt: Date.now() } };
    case 'local_send': {
      const t = transcriptOf(s, a.sessionId);
      return withTranscript(
        { ...s, banners: dropBanners(s.banners, (b) => b.kind === 'error' || (b.kind === 'stream_error' && b.sessionId === a.sessionId)) },
        a.sessionId,
        { ...t, items: [...t.items, { kind: 'user', id: nextId('u'), text: a.text, pending: true }], lastUserText: a.text },
      );
    }
    case 'permission_answered': {
      const transcripts: Record<string, Transcript> = {};
      for (const [id, t] of Object.entries(s.transcripts)) {
        transcripts[id] = t.items.some((it) => it.kind === 'permission' && it.requestId === a.requestId)
          ? {
              ...t,
              items: t.items.map((it) => (it.kind === 'permission' && it.requestId === a.requestId ? { ...it, answer: a.answer } : it)),
            }
          : t;
      }
      return { ...s, transcripts };
    }
    case 'dismiss':
      return { ...s, banners: s.banners.filter((b) => b.key !== a.key) };
    case 'forget_event_ids': {
      const transcripts: Record<string, Transcript> = {};
      for (const [id, t] of Object.entries(s.transcripts))
        transcripts[id] = { ...t, lastEventId: 0, loaded: false, streaming: false, items: expirePermissions(endStreaming(t.items)) };
      return { ...s, transcripts };
    }
    case 'reset':
      return { ...initialState };
  }
}
