// A new token, shown this once with a Copy button: the server keeps only its hash.
import { useState } from 'react';
import './OneTimeSecret.css';

export function OneTimeSecret({ label, secret, onDone }: { label: string; secret: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <section className="secret" aria-label={label}>
      <p className="secret-note">Copy it now: it is shown only once.</p>
      <div className="secret-row">
        <input className="field secret-value" readOnly value={secret} aria-label={label} onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          className="btn btn-small"
          onClick={() =>
            navigator.clipboard.writeText(secret).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="btn btn-ghost btn-small" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  );
}
