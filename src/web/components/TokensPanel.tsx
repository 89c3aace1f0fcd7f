// Settings: the user's personal API tokens. Create (the secret shown once), list with created
// and last-used times, revoke.
import { useState } from 'react';
import { ApiToken, CreateTokenResponse, SignInListResponse, TokenListResponse } from '../../protocol/messages';
import { useResource, when } from '../hooks/useResource';
import { type ApiError, api } from '../rest-client';
import { OneTimeSecret } from './OneTimeSecret';
import './Panel.css';

export function TokensPanel() {
  const tokens = useResource(() => api(TokenListResponse, 'GET', '/api/v1/me/tokens'));
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreateTokenResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The token this browser signed in with: revoking it signs this browser out too.
  const signIns = useResource(() => api(SignInListResponse, 'GET', '/api/v1/me/sign-ins'));
  const currentTokenId = signIns.data?.sign_ins.find((s) => s.current)?.token_id ?? null;
  const fail = (e: ApiError) => setError(e.message);

  const create = () => {
    setError(null);
    api(CreateTokenResponse, 'POST', '/api/v1/me/tokens', { name: name.trim() }).then((t) => {
      setCreated(t);
      setName('');
      tokens.reload();
    }, fail);
  };
  const revoke = (t: ApiToken) => {
    if (
      t.token_id === currentTokenId &&
      !window.confirm(`You signed in with ${t.name}. Revoking it signs you out of this browser too. Revoke it?`)
    )
      return;
    setError(null);
    api(ApiToken, 'DELETE', `/api/v1/me/tokens/${encodeURIComponent(t.token_id)}`).then(tokens.reload, fail);
  };

  const live = (tokens.data?.tokens ?? []).filter((t) => !t.revoked_at);
  return (
    <section className="panel" aria-labelledby="tokens-h">
      <h2 id="tokens-h">Personal API tokens</h2>
      <p className="panel-muted">For scripts and the API: send one as the X-API-Key header. It acts as you.</p>
      <form
        className="panel-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (name.trim()) create();
        }}
      >
        <label>
          Token name
          <input className="field" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" className="btn btn-primary btn-small" disabled={!name.trim()}>
          Create token
        </button>
      </form>
      {created && <OneTimeSecret label={`New token ${created.name}`} secret={created.token} onDone={() => setCreated(null)} />}
      {(error ?? tokens.error) && (
        <p className="panel-error" role="alert">
          {error ?? tokens.error}
        </p>
      )}
      {tokens.data && live.length === 0 && <p className="panel-muted">No tokens yet.</p>}
      {live.length > 0 && (
        <table className="panel-table" aria-label="Your tokens">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Created</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {live.map((t) => (
              <tr key={t.token_id}>
                <td>
                  {t.name}
                  {t.token_id === currentTokenId && <span className="panel-muted"> (signed in with this one)</span>}
                </td>
                <td>{when(t.created_at)}</td>
                <td>{t.last_used_at ? when(t.last_used_at) : 'never'}</td>
                <td>
                  <button type="button" className="btn btn-small" aria-label={`Revoke ${t.name}`} onClick={() => revoke(t)}>
                    Revoke
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
