// Search above the session list: titles and message text (the server's full-text index).
// While a query is typed, its results replace the list; Escape or clearing it brings the list back.
import { useEffect, useId, useState } from 'react';
import type { SessionListItem } from '../../protocol/messages';
import type { Api } from '../api';
import { relativeTime, sessionTitle, useNow } from '../format';
import './SessionSearch.css';

interface Props {
  api: Api | null;
  currentId: string | null;
  onOpen: (id: string) => void;
  /** Whether a query is active (the list hides meanwhile). */
  onActive: (active: boolean) => void;
}

type Found = { q: string; sessions: SessionListItem[] } | { q: string; error: string } | null;

export function SessionSearch({ api, currentId, onOpen, onActive }: Props) {
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Found>(null);
  const now = useNow(30_000);
  const statusId = useId();
  const query = q.trim();

  useEffect(() => onActive(query.length > 0), [query, onActive]);

  useEffect(() => {
    if (!query || !api) {
      setFound(null);
      return;
    }
    const ctl = new AbortController();
    // Waits for a pause in typing: one request per query, not per key.
    const t = setTimeout(() => {
      api.search(query, ctl.signal).then(
        (sessions) => setFound({ q: query, sessions }),
        (e: unknown) => {
          if (!ctl.signal.aborted) setFound({ q: query, error: e instanceof Error ? e.message : 'Search failed' });
        },
      );
    }, 200);
    return () => {
      clearTimeout(t);
      ctl.abort();
    };
  }, [query, api]);

  const results = found && found.q === query ? found : null;
  return (
    <search className="session-search">
      <input
        type="search"
        className="field session-search-input"
        placeholder="Search sessions"
        aria-label="Search sessions"
        aria-describedby={statusId}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') setQ('');
        }}
      />
      <p id={statusId} className="session-search-status" role="status">
        {!query
          ? ''
          : !results
            ? 'Searching…'
            : 'error' in results
              ? results.error
              : results.sessions.length === 0
                ? 'No sessions match.'
                : `${results.sessions.length} ${results.sessions.length === 1 ? 'session matches' : 'sessions match'}`}
      </p>
      {results && 'sessions' in results && results.sessions.length > 0 && (
        <ul className="session-search-results" aria-label="Search results">
          {results.sessions.map((s) => (
            <li key={s.session_id}>
              <button
                type="button"
                className={`session-search-hit${s.session_id === currentId ? ' current' : ''}`}
                aria-current={s.session_id === currentId ? 'page' : undefined}
                onClick={() => onOpen(s.session_id)}
              >
                <span className="session-title">{sessionTitle(s)}</span>
                {s.snippet && <span className="session-search-snippet">{s.snippet}</span>}
                <span className="session-meta">{relativeTime(s.last_active_at, now)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </search>
  );
}
