// Usage: sessions, turns and cost this month and in total, from GET /usage. Members see
// their own; admins see everyone and set each user's limits (PUT /users/{id}/limits).
import { useState } from 'react';
import { UsageResponse, UserLimitsResponse, type UserUsage } from '../../protocol/accounting';
import { useResource } from '../hooks/useResource';
import { type ApiError, api } from '../rest-client';
import './Panel.css';
import { TableScroll } from './TableScroll';

const usd = (n: number) => `$${n.toFixed(2)}`;

function LimitsForm({ u, label, onSaved }: { u: UserUsage; label: string; onSaved: (error: string | null) => void }) {
  const [max, setMax] = useState(u.limits.max_sessions?.toString() ?? '');
  const [budget, setBudget] = useState(u.limits.monthly_budget_usd?.toString() ?? '');
  const [saved, setSaved] = useState(false);
  return (
    <form
      className="panel-form"
      onSubmit={(e) => {
        e.preventDefault();
        const body = { max_sessions: max.trim() ? Number(max) : null, monthly_budget_usd: budget.trim() ? Number(budget) : null };
        api(UserLimitsResponse, 'PUT', `/api/v1/users/${encodeURIComponent(u.user_id)}/limits`, body).then(
          () => {
            setSaved(true);
            onSaved(null);
          },
          (err: ApiError) => {
            setSaved(false);
            onSaved(err.message);
          },
        );
      }}
    >
      {/* Units next to each field: a count of live sessions, and dollars a month. */}
      <span className="limit-field">
        <input
          className="field"
          inputMode="numeric"
          placeholder="no limit"
          size={6}
          aria-label={`Max sessions of ${label}`}
          value={max}
          onChange={(e) => {
            setMax(e.target.value);
            setSaved(false);
          }}
        />
        <span className="panel-muted" aria-hidden="true">
          live sessions
        </span>
      </span>
      <span className="limit-field">
        <span className="panel-muted" aria-hidden="true">
          $
        </span>
        <input
          className="field"
          inputMode="decimal"
          placeholder="no budget"
          size={7}
          aria-label={`Monthly budget (USD) of ${label}`}
          value={budget}
          onChange={(e) => {
            setBudget(e.target.value);
            setSaved(false);
          }}
        />
        <span className="panel-muted" aria-hidden="true">
          a month
        </span>
      </span>
      <button type="submit" className="btn btn-small" aria-label={`Save limits of ${label}`}>
        Save
      </button>
      <span role="status" className="panel-muted">
        {saved ? 'Saved' : ''}
      </span>
    </form>
  );
}

export function UsagePanel({ admin, names = {} }: { admin: boolean; names?: Record<string, string> }) {
  const usage = useResource(() => api(UsageResponse, 'GET', '/api/v1/usage'));
  const [error, setError] = useState<string | null>(null);
  const title = admin ? 'Usage and limits' : 'Your usage';
  return (
    <section className="panel" aria-labelledby="usage-h">
      <h2 id="usage-h">{title}</h2>
      {usage.data && (
        <p className="panel-muted">
          Month {usage.data.month} (UTC); monthly budgets start again on {usage.data.resets_on}.
        </p>
      )}
      {(error ?? usage.error) && (
        <p className="panel-error" role="alert">
          {error ?? usage.error}
        </p>
      )}
      {usage.data && (
        <TableScroll label="Scroll the usage figures">
          <table className="panel-table" aria-label={title}>
            <thead>
              <tr>
                {admin && <th scope="col">User</th>}
                <th scope="col">Live processes</th>
                <th scope="col">Sleeping sessions</th>
                <th scope="col">Sessions this month</th>
                <th scope="col">Turns this month</th>
                <th scope="col">Cost this month</th>
                <th scope="col">Cost in total</th>
                <th scope="col">Limits</th>
              </tr>
            </thead>
            <tbody>
              {usage.data.users.map((u) => {
                const label = names[u.user_id] ?? u.user_id;
                return (
                  <tr key={u.user_id}>
                    {admin && <td>{label}</td>}
                    <td>{u.live_processes}</td>
                    <td>{u.sleeping_sessions}</td>
                    <td>{u.month.sessions}</td>
                    <td>{u.month.turns}</td>
                    <td>{usd(u.month.cost_usd)}</td>
                    <td>{usd(u.total.cost_usd)}</td>
                    <td>
                      {admin ? (
                        <LimitsForm
                          u={u}
                          label={label}
                          onSaved={(e) => {
                            setError(e);
                            usage.reload();
                          }}
                        />
                      ) : (
                        `${u.limits.max_sessions ?? 'no'} session limit, ${u.limits.monthly_budget_usd === null ? 'no budget' : `${usd(u.limits.monthly_budget_usd)} a month`}`
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
