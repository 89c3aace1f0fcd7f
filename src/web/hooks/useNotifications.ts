// Browser notifications when a turn ends, fails or waits for a permission answer while
// this tab is hidden. Off by default; turning them on asks the browser's permission once
// and is remembered in this browser. A notification names the session, never the answer.
import { useCallback, useState } from 'react';
import type { ServerFrame, SessionSummary } from '../../protocol/messages';
import { sessionTitle } from '../format';
import { browserStorage, NOTIFY_STORAGE } from '../storage';

export type NotifyState = 'off' | 'on' | 'blocked' | 'unsupported';

export interface Notifications {
  state: NotifyState;
  toggle(): Promise<void>;
  /** Shows a notification for the frame when it is one of the three kinds and the tab is hidden. */
  onFrame(frame: ServerFrame, sessions: SessionSummary[]): void;
}

const supported = () => typeof window !== 'undefined' && 'Notification' in window;

function initial(): NotifyState {
  if (!supported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'blocked';
  return browserStorage()?.getItem(NOTIFY_STORAGE) === 'on' && Notification.permission === 'granted' ? 'on' : 'off';
}

/** Title and body of the notification a frame gives, or null. */
export function notificationFor(frame: ServerFrame, sessions: SessionSummary[]): { title: string; body: string; tag: string } | null {
  if (frame.type !== 'response_complete' && frame.type !== 'stream_error' && frame.type !== 'permission_request') return null;
  const s = sessions.find((x) => x.session_id === frame.session_id);
  const title = s ? sessionTitle(s) : 'Claude';
  const body =
    frame.type === 'response_complete'
      ? 'Claude finished answering.'
      : frame.type === 'stream_error'
        ? 'The answer failed.'
        : `Claude asks to use ${frame.tool}.`;
  return { title, body, tag: `${frame.session_id}:${frame.type}` };
}

export function useNotifications(): Notifications {
  const [state, setState] = useState<NotifyState>(initial);

  const toggle = useCallback(async () => {
    if (!supported()) return;
    if (state === 'on') {
      browserStorage()?.setItem(NOTIFY_STORAGE, 'off');
      setState('off');
      return;
    }
    const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
    if (permission !== 'granted') {
      setState(permission === 'denied' ? 'blocked' : 'off');
      return;
    }
    browserStorage()?.setItem(NOTIFY_STORAGE, 'on');
    setState('on');
  }, [state]);

  const onFrame = useCallback(
    (frame: ServerFrame, sessions: SessionSummary[]) => {
      if (state !== 'on' || document.visibilityState !== 'hidden') return;
      const n = notificationFor(frame, sessions);
      if (!n) return;
      try {
        const shown = new Notification(n.title, { body: n.body, tag: n.tag });
        shown.onclick = () => {
          window.focus();
          shown.close();
        };
      } catch {
        /* some browsers allow notifications only from a service worker */
      }
    },
    [state],
  );

  return { state, toggle, onFrame };
}
