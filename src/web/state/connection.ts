// The WebSocket's state as the UI shows it.
import type { Action } from './actions';
import type { ConnectionState } from './types';

export const initialConnection: ConnectionState = { status: 'idle', error: null, reconnectAt: null, attempt: 0 };

export function connectionReducer(s: ConnectionState, a: Action): ConnectionState {
  if (a.type !== 'conn') return s;
  return {
    status: a.status,
    error: a.status === 'open' ? null : a.error === undefined ? s.error : a.error,
    reconnectAt: a.reconnectAt === undefined ? s.reconnectAt : a.reconnectAt,
    attempt: a.attempt ?? s.attempt,
  };
}
