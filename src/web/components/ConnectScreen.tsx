// The first screen: the API key, kept for this tab only.
import { useEffect, useRef, useState } from 'react';
import { Logo } from './Logo';
import './ConnectScreen.css';

export function ConnectScreen({ error, busy, onConnect }: { error: string | null; busy: boolean; onConnect: (key: string) => void }) {
  const [key, setKey] = useState('');
  const [empty, setEmpty] = useState(false);
  const shown = empty ? 'Enter the API key first.' : error;
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.focus();
    if (error) input.current?.select();
  }, [error]);
  return (
    <main className="connect-page">
      <form
        className="connect-card"
        onSubmit={(e) => {
          e.preventDefault();
          setEmpty(!key.trim());
          if (key.trim()) onConnect(key.trim());
        }}
      >
        <div className="connect-logo">
          <Logo size={40} />
        </div>
        <h1>Claude SDK Pattern</h1>
        <p className="connect-sub">Enter the API key this server was started with. It is kept for this tab only.</p>
        <label htmlFor="api-key" className="field-label">
          API key
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
        {shown ? (
          <p id="connect-error" className="field-error" role="alert">
            {shown}
          </p>
        ) : (
          <p id="connect-help" className="field-help">
            The server prints a link with the key when it starts.
          </p>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {busy ? 'Connecting…' : 'Connect'}
        </button>
      </form>
    </main>
  );
}
