// Renaming a session in place: an input over its row. Enter saves, Escape (or leaving
// the field untouched) cancels; a refused title shows the server's reason.
import { useEffect, useRef, useState } from 'react';
import type { SessionSummary } from '../../protocol/messages';
import './RenameSession.css';

interface Props {
  session: SessionSummary;
  initial: string;
  onSave: (title: string) => Promise<void>;
  onDone: () => void;
}

export function RenameSession({ session, initial, onSave, onDone }: Props) {
  const [value, setValue] = useState(initial);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  /** Escape was pressed: leaving the field must not save. */
  const cancelled = useRef(false);
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  const save = async () => {
    const title = value.trim();
    if (!title || title === initial) return onDone();
    setBusy(true);
    try {
      await onSave(title);
      onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Rename failed');
      setBusy(false);
    }
  };

  return (
    <form
      className="rename-session"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <input
        ref={input}
        className="field rename-input"
        aria-label="Session title"
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `rename-error-${session.session_id}` : undefined}
        maxLength={200}
        value={value}
        disabled={busy}
        onChange={(e) => {
          setValue(e.target.value);
          setError(null);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            cancelled.current = true;
            onDone();
          }
        }}
        onBlur={() => {
          if (!busy && !error && !cancelled.current) void save();
        }}
      />
      {error && (
        <p className="rename-error" id={`rename-error-${session.session_id}`} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
