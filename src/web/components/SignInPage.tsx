// The first screen: sign in with the identity provider (when the server has one) or with
// the API key / a personal token, which the server exchanges for a sign-in cookie.
import { useEffect, useRef, useState } from 'react';
import { Logo } from './Logo';
import './SignInPage.css';

interface Props {
  checking: boolean;
  methods: { oidc: boolean; proxy: boolean } | null;
  error: string | null;
  busy: boolean;
  onToken: (token: string) => void;
}

export function SignInPage({ checking, methods, error, busy, onToken }: Props) {
  const [key, setKey] = useState('');
  const [empty, setEmpty] = useState(false);
  const shown = empty ? 'Enter the API key or a personal token first.' : error;
  const input = useRef<HTMLInputElement>(null);
  const oidc = methods?.oidc === true;
  useEffect(() => {
    if (checking || oidc) return;
    input.current?.focus();
    if (error) input.current?.select();
  }, [error, checking, oidc]);
  if (checking)
    return (
      <main className="connect-page">
        <p className="connect-checking" role="status">
          <span className="spinner" aria-hidden="true" /> Checking your sign-in…
        </p>
      </main>
    );
  return (
    <main className="connect-page">
      <div className="connect-card">
        <div className="connect-logo">
          <Logo size={40} />
        </div>
        <h1>Claude SDK Pattern</h1>
        {shown && (
          <p id="connect-error" className="field-error signin-error" role="alert">
            {shown}
          </p>
        )}
        {oidc && (
          <>
            <p className="connect-sub">Sign in with your company account.</p>
            <a className="btn btn-primary btn-block" href="/auth/oidc/login">
              Sign in with your identity provider
            </a>
            <p className="signin-or">
              <span>or use a token</span>
            </p>
          </>
        )}
        <form
          className="signin-token"
          onSubmit={(e) => {
            e.preventDefault();
            setEmpty(!key.trim());
            if (key.trim()) onToken(key.trim());
          }}
        >
          {!oidc && <p className="connect-sub">Enter the API key this server was started with, or one of your personal tokens.</p>}
          <label htmlFor="api-key" className="field-label">
            API key or personal token
          </label>
          <input
            ref={input}
            id="api-key"
            className="field"
            type="password"
            autoComplete="current-password"
            spellCheck={false}
            value={key}
            onChange={(e) => setKey(e.target.value)}
            aria-invalid={shown ? true : undefined}
            aria-describedby={shown ? 'connect-error' : 'connect-help'}
          />
          <p id="connect-help" className="field-help">
            The server prints a link with the key when it starts. You stay signed in in this browser until you sign out.
          </p>
          <button type="submit" className={`btn btn-block ${oidc ? '' : 'btn-primary'}`} disabled={busy}>
            {busy ? 'Connecting…' : 'Connect'}
          </button>
        </form>
      </div>
    </main>
  );
}
