// Each session's conversation as shown: built from its event stream (live or replayed
// after a reconnect) or from a stored history, plus messages typed here and not yet confirmed.
import type { HistoryMessage, ServerFrame, SessionSummary } from '../../protocol/messages';
import type { Action, FrameAction } from './actions';
import type { Item, ToolItem, Transcript } from './types';

export const emptyTranscript = (): Transcript => ({
  items: [],
  lastEventId: 0,
  streaming: false,
  loaded: false,
  lastUserText: null,
  retrying: null,
  hasMore: false,
  firstPosition: 0,
  loadingEarlier: false,
});

/** A frame of one session's event stream, with the id the server gave it. */
export function sessionEventOf(f: ServerFrame): { sessionId: string; eventId: number | undefined } | null {
  if (!('session_id' in f) || !('event_id' in f) || f.session_id === undefined) return null;
  return { sessionId: f.session_id, eventId: f.event_id };
}

/** Event ids only grow (across server restarts too): one at or below the last applied is a replay. */
export function isReplayed(transcripts: Record<string, Transcript>, f: ServerFrame): boolean {
  const ev = sessionEventOf(f);
  if (!ev || ev.eventId === undefined) return false;
  return ev.eventId <= (transcripts[ev.sessionId]?.lastEventId ?? 0);
}

/** How full the context was after a turn, when the server said. */
function contextOf(m: { context_tokens?: number; context_window?: number }): { contextTokens?: number; contextWindow?: number } {
  return {
    ...(m.context_tokens !== undefined ? { contextTokens: m.context_tokens } : {}),
    ...(m.context_window !== undefined ? { contextWindow: m.context_window } : {}),
  };
}

/** The context figures of the newest answer that has them. */
export function latestContext(items: Item[]): { tokens: number; window: number | null } | null {
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i];
    if (it?.kind === 'complete' && it.contextTokens !== undefined) return { tokens: it.contextTokens, window: it.contextWindow ?? null };
  }
  return null;
}

/** Items of a stored conversation, tool results merged into their calls; ids start with `prefix`. */
export function itemsFromHistory(messages: HistoryMessage[], prefix = 'h', sessionId = ''): Item[] {
  const items: Item[] = [];
  const tools = new Map<string, ToolItem>();
  messages.forEach((m, i) => {
    const id = `${prefix}:${i}`;
    switch (m.type) {
      case 'user':
        items.push({
          kind: 'user',
          id,
          text: m.text,
          ...(m.message_id ? { messageId: m.message_id } : {}),
          ...(m.attachments?.length
            ? {
                attachments: m.attachments.map((a) => ({
                  name: a.name,
                  media_type: a.media_type,
                  size: a.size,
                  ...(a.id ? { remote: { sessionId, id: a.id } } : {}),
                })),
              }
            : {}),
        });
        break;
      case 'assistant': {
        const last = items[items.length - 1];
        if (last?.kind === 'assistant') items[items.length - 1] = { ...last, text: last.text + m.text };
        else items.push({ kind: 'assistant', id, text: m.text, streaming: false });
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
        // The stored outcome of a turn: the same line a live answer ends with.
        if (m.outcome === 'complete') items.push({ kind: 'complete', id, costUsd: m.cost_usd, turns: m.turn_count, ...contextOf(m) });
        else if (m.outcome === 'interrupted') items.push({ kind: 'notice', id, tone: 'info', text: 'Stopped.' });
        break;
    }
  });
  return items;
}

function endStreaming(items: Item[]): Item[] {
  return items.map((it) => (it.kind === 'assistant' && it.streaming ? { ...it, streaming: false } : it));
}

function expirePermissions(items: Item[]): Item[] {
  return items.map((it) => (it.kind === 'permission' && it.answer === null ? { ...it, answer: 'expired' } : it));
}

/** A session without a process streams nothing and waits for no answer. */
function settle(t: Transcript): Transcript {
  if (!t.streaming && !t.retrying && !t.items.some((it) => it.kind === 'permission' && it.answer === null)) return t;
  return { ...t, streaming: false, retrying: null, items: expirePermissions(endStreaming(t.items)) };
}

const hasNoProcess = (s: SessionSummary) => s.status === 'terminated' || s.status === 'dormant';

/** Applies one frame of a session's event stream; new items take their id from the action. */
function applySessionEvent(t: Transcript, f: ServerFrame, a: FrameAction): Transcript {
  const items = t.items;
  const id = a.id;
  switch (f.type) {
    case 'turn_started': {
      const i = items.findIndex((it) => it.kind === 'user' && it.pending && it.text === f.text);
      // Sent from another tab (or before a reload): its files come from the server's copy, by id.
      const attachments = f.attachments?.map((x) => ({
        name: x.name,
        media_type: x.media_type,
        size: x.size,
        ...(x.id ? { remote: { sessionId: f.session_id, id: x.id } } : {}),
      }));
      const next =
        i >= 0
          ? items.map((it, j) => (j === i ? { ...it, pending: false, ...(f.message_id ? { messageId: f.message_id } : {}) } : it))
          : [
              ...items,
              {
                kind: 'user' as const,
                id,
                text: f.text,
                ...(attachments?.length ? { attachments } : {}),
                ...(f.message_id ? { messageId: f.message_id } : {}),
              },
            ];
      return { ...t, items: next, streaming: true, lastUserText: f.text, retrying: null };
    }
    case 'stream_delta': {
      const last = items[items.length - 1];
      if (last?.kind === 'assistant' && last.streaming)
        return { ...t, streaming: true, retrying: null, items: [...items.slice(0, -1), { ...last, text: last.text + f.delta }] };
      return { ...t, streaming: true, retrying: null, items: [...items, { kind: 'assistant', id, text: f.delta, streaming: true }] };
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
            id,
            requestId: f.request_id,
            tool: f.tool,
            input: f.input,
            // Counts down to the server's deadline (a replay after a reload has less time left), never past a full timeout.
            timeoutSeconds: Math.max(
              0,
              Math.min(f.timeout_seconds, f.expires_at ? (Date.parse(f.expires_at) - a.now) / 1000 : f.timeout_seconds) || 0,
            ),
            receivedAt: a.now,
            alwaysAllowScope: f.always_allow_scope ?? null,
            ...(f.warning ? { warning: f.warning } : {}),
            answer: null,
          },
        ],
      };
    case 'response_complete':
      return {
        ...t,
        streaming: false,
        retrying: null,
        items: [
          ...expirePermissions(endStreaming(items)),
          { kind: 'complete', id, costUsd: f.cost_usd, turns: f.turn_count, ...contextOf(f) },
        ],
      };
    case 'stream_interrupted':
      return {
        ...t,
        streaming: false,
        retrying: null,
        items: [...expirePermissions(endStreaming(items)), { kind: 'notice', id, tone: 'info', text: 'Stopped.' }],
      };
    case 'stream_error':
      return {
        ...t,
        streaming: false,
        retrying: null,
        // The banner says what happened and offers Retry; the conversation keeps one short line (said once).
        items: [...expirePermissions(endStreaming(items)), { kind: 'notice', id, tone: 'error', text: 'This answer did not finish.' }],
      };
    case 'stream_status':
      return { ...t, retrying: { attempt: f.attempt, max: f.max_retries } };
    case 'session_terminated':
      return settle(t);
    default:
      return t;
  }
}

function mapTranscripts(s: Record<string, Transcript>, fn: (id: string, t: Transcript) => Transcript): Record<string, Transcript> {
  let changed = false;
  const out: Record<string, Transcript> = {};
  for (const [id, t] of Object.entries(s)) {
    out[id] = fn(id, t);
    if (out[id] !== t) changed = true;
  }
  return changed ? out : s;
}

function onFrame(s: Record<string, Transcript>, a: FrameAction): Record<string, Transcript> {
  const f = a.frame;
  switch (f.type) {
    case 'session_list': {
      const idle = new Set(f.sessions.filter(hasNoProcess).map((x) => x.session_id));
      return mapTranscripts(s, (id, t) => (idle.has(id) ? settle(t) : t));
    }
    case 'session_updated': {
      const t = s[f.session.session_id];
      return t && hasNoProcess(f.session) ? { ...s, [f.session.session_id]: settle(t) } : s;
    }
    case 'session_ready':
      return { ...s, [f.session_id]: { ...emptyTranscript(), loaded: true } };
    case 'session_deleted': {
      if (!(f.session_id in s)) return s;
      const { [f.session_id]: _, ...rest } = s;
      return rest;
    }
    case 'session_history': {
      const prev = s[f.session_id] ?? emptyTranscript();
      // Messages typed but not yet confirmed by turn_started stay visible.
      const pending = prev.items.filter((it) => it.kind === 'user' && it.pending);
      return {
        ...s,
        [f.session_id]: {
          items: [...itemsFromHistory(f.messages, a.id, f.session_id), ...pending],
          lastEventId: f.last_event_id,
          streaming: f.is_query_active,
          loaded: true,
          lastUserText: [...f.messages].reverse().find((m) => m.type === 'user')?.text ?? prev.lastUserText,
          retrying: null,
          hasMore: f.has_more,
          firstPosition: f.first_position,
          loadingEarlier: false,
        },
      };
    }
    case 'session_history_page': {
      const t = s[f.session_id];
      // Only the page right before what is shown (a late answer to an older request changes nothing).
      if (!t?.loaded || f.first_position >= t.firstPosition) return t ? { ...s, [f.session_id]: { ...t, loadingEarlier: false } } : s;
      return {
        ...s,
        [f.session_id]: {
          ...t,
          items: [...itemsFromHistory(f.messages, a.id), ...t.items],
          hasMore: f.has_more,
          firstPosition: f.first_position,
          loadingEarlier: false,
        },
      };
    }
    case 'error': {
      const t = f.session_id ? s[f.session_id] : undefined;
      if (!f.session_id || !t) return s;
      // A rejected message never became a turn.
      return { ...s, [f.session_id]: { ...t, items: t.items.filter((it) => !(it.kind === 'user' && it.pending)) } };
    }
    default:
      break;
  }
  const ev = sessionEventOf(f);
  if (!ev) return s;
  const t = s[ev.sessionId] ?? emptyTranscript();
  return { ...s, [ev.sessionId]: { ...applySessionEvent(t, f, a), lastEventId: ev.eventId ?? t.lastEventId } };
}

export function transcriptsReducer(s: Record<string, Transcript>, a: Action): Record<string, Transcript> {
  switch (a.type) {
    case 'earlier_requested': {
      const t = s[a.sessionId];
      return t ? { ...s, [a.sessionId]: { ...t, loadingEarlier: true } } : s;
    }
    case 'frame':
      return onFrame(s, a);
    case 'local_send': {
      const t = s[a.sessionId] ?? emptyTranscript();
      return {
        ...s,
        [a.sessionId]: {
          ...t,
          items: [
            ...t.items,
            { kind: 'user', id: a.id, text: a.text, pending: true, ...(a.attachments?.length ? { attachments: a.attachments } : {}) },
          ],
          lastUserText: a.text,
        },
      };
    }
    case 'local_unsent': {
      const t = s[a.sessionId];
      return t ? { ...s, [a.sessionId]: { ...t, items: t.items.filter((it) => !(it.kind === 'user' && it.pending)) } } : s;
    }
    case 'permission_answered':
      return mapTranscripts(s, (_id, t) =>
        t.items.some((it) => it.kind === 'permission' && it.requestId === a.requestId)
          ? {
              ...t,
              items: t.items.map((it) => (it.kind === 'permission' && it.requestId === a.requestId ? { ...it, answer: a.answer } : it)),
            }
          : t,
      );
    default:
      return s;
  }
}
