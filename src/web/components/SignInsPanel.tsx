// Settings: the browsers this user is signed in on (GET /api/v1/me/sign-ins), how each signed in,
// last used; "Sign out" ends one (DELETE /api/v1/me/sign-ins/{id}). The current one is marked and
// has no button here (the account menu signs this browser out).
import { useState } from 'react';
import { EndSignInsResponse, type SignInInfo, SignInListResponse } from '../../protocol/messages';
import { useResource, when } from '../hooks/useResource';
import { type ApiError, api } from '../rest-client';
import './Panel.css';
import { TableScroll } from './TableScroll';

const METHOD: Record<SignInInfo['method'], string> = {
  oidc: 'Identity provider',
  proxy: 'Sign-in proxy',
  key: 'API key',
  token: 'Personal token',
};

/** A short browser name from a user agent string. */
function browserOf(ua: string | null): string {
  if (!ua) return 'Unknown browser';
  const name = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : 'Browser';
  const os = /Windows/.test(ua)
    ? 'Windows'
    : /Mac OS X/.test(ua)
      ? 'macOS'
      : /Android/.test(ua)
        ? 'Android'
        : /iPhone|iPad/.test(ua)
          ? 'iOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return os ? `${name} on ${os}` : name;
}

export function SignInsPanel() {
  const signIns = useResource(() => api(SignInListResponse, 'GET', '/api/v1/me/sign-ins'));
  const [error, setError] = useState<string | null>(null);
  const end = (s: SignInInfo) => {
    setError(null);
    api(EndSignInsResponse, 'DELETE', `/api/v1/me/sign-ins/${encodeURIComponent(s.id)}`).then(signIns.reload, (e: ApiError) => {
      setError(e.message);
      signIns.reload();
    });
  };
  const label = (s: SignInInfo) => `${browserOf(s.user_agent)}, ${METHOD[s.method]}${s.token_name ? ` (${s.token_name})` : ''}`;
  return (
    <section className="panel" aria-labelledby="sign-ins-h">
      <h2 id="sign-ins-h">Signed in on</h2>
      {(error ?? signIns.error) && (
        <p className="panel-error" role="alert">
          {error ?? signIns.error}
        </p>
      )}
      {signIns.data && (
        <TableScroll label="Scroll the browser list">
          <table className="panel-table" aria-label="Your sign-ins">
            <thead>
              <tr>
                <th scope="col">Browser</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {signIns.data.sign_ins.map((s) => (
                <tr key={s.id}>
                  <td>
                    {label(s)}
                    {s.current && <span className="panel-muted"> (this browser)</span>}
                  </td>
                  <td>{when(s.created_at)}</td>
                  <td>{s.last_used_at ? when(s.last_used_at) : 'never'}</td>
                  <td>
                    {s.current ? (
                      <span className="panel-muted">Current</span>
                    ) : (
                      <button
                        type="button"
                        className="btn btn-small"
                        aria-label={`Sign out ${label(s)}, signed in ${when(s.created_at)}`}
                        onClick={() => end(s)}
                      >
                        Sign out
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}
