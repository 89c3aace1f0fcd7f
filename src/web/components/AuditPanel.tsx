// Admin: the audit log, newest first, filtered by action and user, paged with "Older entries".
import { useCallback, useEffect, useState } from 'react';
import { AUDIT_ACTIONS, type AuditEntry, AuditListResponse } from '../../protocol/accounting';
import { when } from '../hooks/useResource';
import { type ApiError, api } from '../rest-client';
import './Panel.css';
import { TableScroll } from './TableScroll';

/** An entry's detail as readable lines (`key: value`), not one long JSON string. */
function detailText(d: Record<string, unknown>): string {
  return Object.entries(d)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join('\n');
}

export function AuditPanel({ names = {} }: { names?: Record<string, string> }) {
  const [action, setAction] = useState('');
  const [user, setUser] = useState('');
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback((filters: { action: string; user: string }, after: string | null) => {
    const q = new URLSearchParams({ limit: '50' });
    if (filters.action) q.set('action', filters.action);
    if (filters.user.trim()) q.set('user_id', filters.user.trim());
    if (after) q.set('cursor', after);
    api(AuditListResponse, 'GET', `/api/v1/audit?${q}`).then(
      (r) => {
        setEntries((old) => (after ? [...old, ...r.entries] : r.entries));
        setCursor(r.next_cursor);
        setError(null);
      },
      (e: ApiError) => setError(e.message),
    );
  }, []);
  useEffect(() => load({ action: '', user: '' }, null), [load]);
  const who = (id: string | null) => (id ? (names[id] ?? id) : '');

  return (
    <section className="panel" aria-labelledby="audit-h">
      <h2 id="audit-h">Audit log</h2>
      <form
        className="panel-form"
        onSubmit={(e) => {
          e.preventDefault();
          load({ action, user }, null);
        }}
      >
        <label>
          Action
          <select className="field" value={action} onChange={(e) => setAction(e.target.value)}>
            <option value="">any</option>
            {AUDIT_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
        <label>
          User id
          <input className="field" value={user} onChange={(e) => setUser(e.target.value)} />
        </label>
        <button type="submit" className="btn btn-small">
          Filter
        </button>
      </form>
      {error && (
        <p className="panel-error" role="alert">
          {error}
        </p>
      )}
      <TableScroll label="Scroll the audit entries">
        <table className="panel-table" aria-label="Audit entries">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">About</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.id}>
                <td>{when(e.at)}</td>
                <td>{who(e.actor_user_id)}</td>
                <td>{e.action}</td>
                <td>{who(e.target_user_id) || (e.session_id ? `session ${e.session_id.slice(0, 8)}` : '')}</td>
                <td className="panel-muted audit-detail">{detailText(e.detail)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
      {cursor && (
        <button type="button" className="btn btn-small" onClick={() => load({ action, user }, cursor)}>
          Older entries
        </button>
      )}
    </section>
  );
}
