// The WebSocket's life: one ChatConnection per set of credentials, closed when they change
// or the app unmounts; back online, it reconnects at once instead of waiting for its timer.
import { useCallback, useEffect, useEffectEvent, useRef } from 'react';
import type { ServerFrame } from '../../protocol/messages';
import { ChatConnection, type OutgoingMessage } from '../connection';
import type { Credentials } from './useLogin';

export interface ConnectionHandlers {
  onConnecting(): void;
  onOpen(): void;
  onFrame(frame: ServerFrame): void;
  onAuthFailed(reason: string): void;
  onReconnecting(attempt: number, at: number): void;
}

export interface ChatLink {
  /** False when there is no open socket (the message was not sent). */
  send(msg: OutgoingMessage): boolean;
  reconnectNow(): void;
  isOpen(): boolean;
}

export function useChatConnection(credentials: Credentials | null, handlers: ConnectionHandlers): ChatLink {
  const conn = useRef<ChatConnection | null>(null);
  const onConnecting = useEffectEvent(handlers.onConnecting);
  const onOpen = useEffectEvent(handlers.onOpen);
  const onFrame = useEffectEvent(handlers.onFrame);
  const onAuthFailed = useEffectEvent(handlers.onAuthFailed);
  const onReconnecting = useEffectEvent(handlers.onReconnecting);

  useEffect(() => {
    if (!credentials) return;
    const c = new ChatConnection((e) => {
      if (e.type === 'open') onOpen();
      else if (e.type === 'frame') onFrame(e.frame);
      else if (e.type === 'auth_failed') onAuthFailed(e.reason);
      else onReconnecting(e.attempt, e.at);
    });
    conn.current = c;
    onConnecting();
    c.connect();
    const online = () => c.reconnectNow();
    window.addEventListener('online', online);
    return () => {
      window.removeEventListener('online', online);
      c.close();
      if (conn.current === c) conn.current = null;
    };
  }, [credentials]);

  const send = useCallback((msg: OutgoingMessage) => conn.current?.send(msg) ?? false, []);
  const reconnectNow = useCallback(() => conn.current?.reconnectNow(), []);
  const isOpen = useCallback(() => conn.current?.isOpen ?? false, []);
  return { send, reconnectNow, isOpen };
}
