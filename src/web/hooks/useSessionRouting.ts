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
  /** Sends a session's last message again, with its attachments; false if there is none or it could not be sent. */
  retry(sessionId: string): boolean;
  /** Routing's part in a frame, after the frame is in the state. */
  onFrame(frame: ServerFrame): void;
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
  /** The server refused the files of the last message: the composer gets it back. */
  onRefused?(text: string, files: PendingAttachment[], why: string): void;
}

export function useSessionRouting({ state, dispatch, link, stamp, resume, onOpened, onRefused }: Deps): SessionRouting {
  const pendingResume = useRef(resume);
  const pendingText = useRef<string | null>(null);
  const pendingFiles = useRef<PendingAttachment[]>([]);
  /** The last message sent, to give back to the composer if the server refuses its files. */
  const lastSent = useRef<{ text: string; files: PendingAttachment[] } | null>(null);
  /** Each session's last message as sent (attachments included), for Retry. */
  const lastSentTo = useRef(new Map<string, { text: string; files: PendingAttachment[] }>());
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
    return sendTo(id, text, files);
  };

  // The one place a user_message leaves the page.
  const sendTo = (id: string, text: string, files: PendingAttachment[]): boolean => {
    const attachments = files.map(({ name, media_type, data }) => ({ name, media_type, data }));
    if (!send({ type: 'user_message', session_id: id, text, ...(attachments.length ? { attachments } : {}) })) return false;
    lastSent.current = { text, files };
    lastSentTo.current.set(id, { text, files });
    const views = files.map((f) => ({ name: f.name, media_type: f.media_type, size: f.size, ...(f.url ? { localUrl: f.url } : {}) }));
    dispatch({ type: 'local_send', sessionId: id, text, id: stamp().id, ...(views.length ? { attachments: views } : {}) });
    return true;
  };

  const retry = (id: string): boolean => {
    // After a reload only the text is known (the transcript's); the files went with the earlier page.
    const last = lastSentTo.current.get(id) ?? { text: state.transcripts[id]?.lastUserText ?? '', files: [] };
    return last.text !== '' && sendTo(id, last.text, last.files);
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
        if (text) sendTo(f.session_id, text, files);
        onOpened();
        break;
      }
      case 'error':
        if (f.code === 'capacity_exceeded' || f.code === 'internal_error') pendingText.current = null;
        if ((f.code === 'attachment_too_large' || f.code === 'unsupported_attachment') && lastSent.current) {
          onRefused?.(lastSent.current.text, lastSent.current.files, f.message);
          lastSent.current = null;
        }
        break;
      default:
        break;
    }
  };

  return { switchTo, createSession, sendText, retry, onFrame };
}
