// Every user_message leaves the page here. A message sent while Claude works on that session
// waits in the session's queue (shown, cancellable) and goes out, in order, once the turn
// ends; the server still refuses a mid-turn user_message with query_in_progress. A message
// the server refuses (budget, limits, rate, capacity, attachments, any error naming the
// session while it is unconfirmed) comes back to its session's box with its files, together
// with whatever was queued behind it. Retry resends the last message with its files (after a
// reload, fetched again from the server's copy). The queue is kept in this tab for a reload
// (the box gets it back, unsent: see Composer) and forgotten when the signed-in user changes.
import { type Dispatch, useCallback, useEffect, useRef, useState } from 'react';
import type { ServerFrame } from '../../protocol/messages';
import type { PendingAttachment } from '../attachments';
import { fetchAgain } from '../refetch-attachments';
import type { Action } from '../state/actions';
import type { State, Transcript } from '../state/types';
import { keepQueued } from '../storage';
import type { ChatLink } from './useChatConnection';
import type { Stamp } from './useStamp';

export interface OutgoingText {
  text: string;
  files: PendingAttachment[];
}

export interface QueuedMessage extends OutgoingText {
  key: string;
}

export interface Outbox {
  /** Sends now, or queues behind the turn in flight; false if the socket is down (nothing sent or queued). */
  submit(sessionId: string, text: string, files: PendingAttachment[]): boolean;
  /** The session's queued messages, oldest first. */
  queued(sessionId: string | null): QueuedMessage[];
  /** Takes a queued message out; returns it (the box gets it back to edit). */
  cancel(sessionId: string, key: string): QueuedMessage | null;
  /** Resends the session's last message with its files; false when there is none or the socket is down. */
  retry(sessionId: string): boolean;
  /** The outbox's part in a frame, before the frame is in the state. */
  onFrame(frame: ServerFrame): void;
}

interface Deps {
  state: State;
  dispatch: Dispatch<Action>;
  link: ChatLink;
  stamp: () => Stamp;
  /** Who is signed in (null: nobody): a change forgets the queue and what Retry would send. */
  owner: string | null;
  /** A refused message (and those queued after it) goes back to its session's box. */
  onRefused(sessionId: string, back: OutgoingText, why: string): void;
}

/** A message of this session is on its way or its answer streams: the next one waits. */
export function isBusy(t: Transcript | undefined): boolean {
  return !!t && (t.streaming || t.items.some((it) => it.kind === 'user' && it.pending));
}

/** Several messages given back at once read as one, in the order they were written. */
export function joinBack(list: OutgoingText[]): OutgoingText {
  return {
    text: list
      .map((m) => m.text)
      .filter((t) => t.trim())
      .join('\n\n'),
    files: list.flatMap((m) => m.files),
  };
}

export function useOutbox({ state, dispatch, link, stamp, owner, onRefused }: Deps): Outbox {
  const [queues, setQueues] = useState<Record<string, QueuedMessage[]>>({});
  const queuesRef = useRef(queues);
  queuesRef.current = queues;
  // Kept in this tab as it changes (not at the first render: what the last page kept is the box's to take).
  const firstQueues = useRef(queues);
  useEffect(() => {
    if (queues === firstQueues.current) return;
    const kept = Object.entries(queues).filter(([, q]) => q.length > 0);
    keepQueued(Object.fromEntries(kept.map(([id, q]) => [id, q.map((m) => ({ text: m.text, files: m.files.map((f) => f.name) }))])));
  }, [queues]);
  /** The message of each session sent and not yet acknowledged (message_received): a refusal or a drop gives it back. */
  const unacked = useRef<Record<string, OutgoingText>>({});
  /** The message of each session sent and not yet started as a turn: an error naming the session gives it back. */
  const unstarted = useRef<Record<string, OutgoingText>>({});
  /** The last message sent to each session (Retry sends it again, with its files). */
  const last = useRef<Record<string, OutgoingText>>({});
  const stateRef = useRef(state);
  stateRef.current = state;
  const counter = useRef(0);
  const { send } = link;

  /** The one place a user_message is sent. */
  const sendNow = useCallback(
    (id: string, m: OutgoingText): boolean => {
      const attachments = m.files.map(({ name, media_type, data }) => ({ name, media_type, data }));
      if (!send({ type: 'user_message', session_id: id, text: m.text, ...(attachments.length ? { attachments } : {}) })) return false;
      unacked.current[id] = m;
      unstarted.current[id] = m;
      last.current[id] = m;
      const views = m.files.map((f) => ({ name: f.name, media_type: f.media_type, size: f.size, ...(f.url ? { localUrl: f.url } : {}) }));
      dispatch({ type: 'local_send', sessionId: id, text: m.text, id: stamp().id, ...(views.length ? { attachments: views } : {}) });
      return true;
    },
    [send, dispatch, stamp],
  );

  const waiting = (id: string) => isBusy(stateRef.current.transcripts[id]) || id in unacked.current;

  const submit = (id: string, text: string, files: PendingAttachment[]): boolean => {
    if (!link.isOpen()) return false;
    if (!waiting(id) && (queuesRef.current[id]?.length ?? 0) === 0) return sendNow(id, { text, files });
    const q: QueuedMessage = { key: `q${++counter.current}`, text, files };
    setQueues((all) => ({ ...all, [id]: [...(all[id] ?? []), q] }));
    return true;
  };

  // The turn ended (or nothing was in flight): the oldest queued message goes out.
  const connected = state.connection.status === 'open';
  useEffect(() => {
    if (!connected) return;
    for (const [id, q] of Object.entries(queues)) {
      const head = q[0];
      if (!head || isBusy(state.transcripts[id]) || id in unacked.current) continue;
      const s = state.sessions.list.find((x) => x.session_id === id);
      if (s?.status === 'terminated' && !s.is_resumable) continue;
      if (!sendNow(id, head)) continue;
      setQueues((all) => ({ ...all, [id]: (all[id] ?? []).filter((m) => m.key !== head.key) }));
    }
  }, [queues, state.transcripts, state.sessions.list, connected, sendNow]);

  /** Gives the session's refused message and everything queued behind it back to its box. */
  const giveBack = (id: string, sent: OutgoingText | undefined, why: string) => {
    const queued = queuesRef.current[id] ?? [];
    const back = joinBack([...(sent ? [sent] : []), ...queued]);
    if (queued.length) setQueues((all) => ({ ...all, [id]: [] }));
    if (back.text || back.files.length) onRefused(id, back, why);
  };

  const onFrame = (f: ServerFrame) => {
    switch (f.type) {
      case 'message_received':
        delete unacked.current[f.session_id];
        break;
      case 'turn_started':
        delete unstarted.current[f.session_id];
        break;
      case 'error': {
        const id = f.session_id;
        // Refused before it was accepted, or accepted just as another turn began (query_in_progress).
        if (!id || !(id in unacked.current || (f.code === 'query_in_progress' && id in unstarted.current))) break;
        const sent = unstarted.current[id];
        delete unacked.current[id];
        delete unstarted.current[id];
        giveBack(id, sent, f.message);
        break;
      }
      default:
        break;
    }
  };

  // A dropped connection: a message the server had not acknowledged, and the queue, come back to the box.
  const wasConnected = useRef(connected);
  useEffect(() => {
    if (wasConnected.current && !connected) {
      const ids = new Set([...Object.keys(unacked.current), ...Object.keys(queuesRef.current)]);
      for (const id of ids) {
        const sent = unacked.current[id];
        delete unacked.current[id];
        if (sent) delete unstarted.current[id];
        if (sent) dispatch({ type: 'local_unsent', sessionId: id });
        giveBack(id, sent, 'The connection dropped before this was sent: it is back here to send again.');
      }
    }
    wasConnected.current = connected;
  });

  const queued = (id: string | null) => (id ? (queues[id] ?? []) : []);

  const cancel = (id: string, key: string): QueuedMessage | null => {
    const m = queuesRef.current[id]?.find((x) => x.key === key) ?? null;
    setQueues((all) => ({ ...all, [id]: (all[id] ?? []).filter((x) => x.key !== key) }));
    return m;
  };

  const retry = (id: string): boolean => {
    const t = stateRef.current.transcripts[id];
    const text = t?.lastUserText;
    // The message this page sent goes again with its files.
    const mine = last.current[id];
    if (mine && (!text || mine.text === text)) return submit(id, mine.text, mine.files);
    if (!text) return false;
    // One sent before a reload (or elsewhere): its files come again from the server's copy.
    const sent = [...(t?.items ?? [])].reverse().find((it) => it.kind === 'user' && it.text === text);
    const views = sent?.kind === 'user' ? (sent.attachments ?? []) : [];
    if (views.length === 0) return submit(id, text, []);
    if (!link.isOpen()) return false;
    fetchAgain(views).then(
      (files) => {
        if (!submit(id, text, files)) onRefused(id, { text, files }, 'The connection dropped before this was sent.');
      },
      () =>
        onRefused(
          id,
          { text, files: [] },
          `Its files (${views.map((v) => v.name).join(', ')}) could not be fetched again: attach them and send it again.`,
        ),
    );
    return true;
  };

  // Another user signed in (or nobody is): nothing of the last one's is queued or retried.
  const lastOwner = useRef(owner);
  useEffect(() => {
    if (lastOwner.current === owner) return;
    lastOwner.current = owner;
    unacked.current = {};
    unstarted.current = {};
    last.current = {};
    setQueues((all) => (Object.keys(all).length ? {} : all));
  }, [owner]);

  return { submit, queued, cancel, retry, onFrame };
}
