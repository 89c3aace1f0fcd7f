// The one reducer the app uses: the reducers of each part of the state, over the same action.
import type { Action } from './actions';
import { bannersReducer } from './banners';
import { connectionReducer, initialConnection } from './connection';
import { initialSessions, sessionsReducer } from './sessions';
import { isReplayed, transcriptsReducer } from './transcripts';
import type { State } from './types';

export const initialState: State = { connection: initialConnection, sessions: initialSessions, transcripts: {}, banners: [] };

export function reducer(s: State, a: Action): State {
  if (a.type === 'reset') return initialState;
  // A replayed event (a reconnect overlapping what was shown) changes nothing anywhere.
  if (a.type === 'frame' && isReplayed(s.transcripts, a.frame)) return s;
  const next: State = {
    connection: connectionReducer(s.connection, a),
    sessions: sessionsReducer(s.sessions, a),
    transcripts: transcriptsReducer(s.transcripts, a),
    banners: bannersReducer(s.banners, a),
  };
  const same =
    next.connection === s.connection && next.sessions === s.sessions && next.transcripts === s.transcripts && next.banners === s.banners;
  return same ? s : next;
}
