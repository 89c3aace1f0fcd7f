// Which session is open: the one a /chat?resume= link names, else the one open before a
// reload or reconnect; switching asks the server only for events after the last one shown
// (it answers with the whole history when its buffer no longer reaches back). A message
// typed with no session open starts one and is sent as soon as it is ready.
import { type Dispatch, useRef } from 'react';
import type { ServerFrame, SessionSummary } from '../../protocol/messages';
import type { PendingAttachment } from '../attachments';
import type { Action } from '../state/actions';
import type { State } from '../state/types';
import { CURRENT_STORAGE, tabStorage } from '../storage';
import type { ChatLink } from './useChatConnection';
import type { Stamp } from './useStamp';

export interface SessionRouting {
  switchTo(id: string): void;
  createSession(): void;
  /** Sends to the open session, or starts one for it; false if nothing could be sent. */
  sendText(text: string, attachments?: PendingAttachment[]): boolean;
  /** Routing's part in a frame, after the frame is in the state. */
  onFrame(frame: ServerFrame): void;
  /** The socket dropped: a message waiting for its new session comes back to the box. */
  onDisconnected(): void;
}

interface Deps {
  state: State;
  dispatch: Dispatch<Action>;
  link: ChatLink;
  stamp: () => Stamp;
  /** From the page address: the session to open and resume once the list arrives. */
  resume: string | null;
  /** Called when a session was opened or started: focus and the phone menu follow. */
  onOpened(): void;
  /** Sends a message to a session (the outbox: now or queued). */
  submit(sessionId: string, text: string, files: PendingAttachment[]): boolean;
  /** A message typed with no session open could not start one: the box gets it back. */
  onCreateRefused(text: string, files: PendingAttachment[], why: string): void;
}

export function useSessionRouting({ state, dispatch, link, stamp, resume, onOpened, submit, onCreateRefused }: Deps): SessionRouting {
  const pendingResume = useRef(resume);
  const pendingText = useRef<string | null>(null);
  const pendingFiles = useRef<PendingAttachment[]>([]);
  const { send } = link;

  const switchTo = (id: string) => {
    const t = state.transcripts[id];
    const after = t?.loaded ? t.lastEventId : undefined;
    if (!send({ type: 'switch_session', session_id: id, ...(after !== undefined ? { after } : {}) })) return;
    dispatch({ type: 'select', sessionId: id });
    onOpened();
  };

  const createSession = () => {
    if (!send({ type: 'create_session' })) return;
    dispatch({ type: 'creating_requested', now: stamp().now });
    onOpened();
  };

  const sendText = (text: string, files: PendingAttachment[] = []): boolean => {
    const id = state.sessions.currentId;
    if (!id) {
      pendingText.current = text;
      pendingFiles.current = files;
      createSession();
      return link.isOpen();
    }
    return submit(id, text, files);
  };

  /** The message that waited for a session to start comes back to the box. */
  const giveBackPending = (why: string) => {
    const text = pendingText.current;
    const files = pendingFiles.current;
    pendingText.current = null;
    pendingFiles.current = [];
    if (text !== null) onCreateRefused(text, files, why);
  };

  const onSessionList = (sessions: SessionSummary[]) => {
    const wanted = pendingResume.current;
    pendingResume.current = null;
    const target = wanted ?? state.sessions.currentId ?? tabStorage()?.getItem(CURRENT_STORAGE) ?? null;
    if (!target) return;
    const summary = sessions.find((s) => s.session_id === target);
    if (!summary) dispatch(wanted ? { type: 'resume_not_found' } : { type: 'select', sessionId: null });
    else if (wanted || summary.status !== 'terminated') switchTo(target);
    else dispatch({ type: 'select', sessionId: target }); // shown as ended, with Resume
  };

  const onFrame = (f: ServerFrame) => {
    switch (f.type) {
      case 'session_list':
        onSessionList(f.sessions);
        // For measuring: page start to a connected chat that shows its sessions.
        if (performance.getEntriesByName('csp:ready').length === 0) performance.mark('csp:ready');
        break;
      case 'session_ready': {
        const text = pendingText.current;
        const files = pendingFiles.current;
        pendingText.current = null;
        pendingFiles.current = [];
        if (text) submit(f.session_id, text, files);
        onOpened();
        break;
      }
      case 'error':
        // A refused create (any code: limits, capacity, budget...) gives the message back.
        if (!f.session_id && state.sessions.creating) giveBackPending(f.message);
        break;
      default:
        break;
    }
  };

  const onDisconnected = () => giveBackPending('The connection dropped before the session started: your message is back here.');

  return { switchTo, createSession, sendText, onFrame, onDisconnected };
}
