// Messages written while Claude answers: each waits here, in order, until the turn ends,
// and can be cancelled (it comes back to the box to edit).
import type { QueuedMessage } from '../hooks/useOutbox';
import './ComposerQueue.css';

const preview = (t: string) => {
  const line = t.replace(/\s+/g, ' ').trim();
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
};

export function ComposerQueue({ items, onCancel }: { items: QueuedMessage[]; onCancel: (key: string) => void }) {
  if (items.length === 0) return null;
  return (
    <ul className="composer-queue" aria-label="Queued messages">
      {items.map((m, i) => (
        <li key={m.key} className="composer-queued">
          <span className="queued-badge">{i === 0 ? 'Queued: sent when Claude finishes' : 'Queued'}</span>
          <span className="queued-text">
            {preview(m.text)}
            {m.files.length > 0 && ` (+${m.files.length} ${m.files.length === 1 ? 'file' : 'files'})`}
          </span>
          <button
            type="button"
            className="btn btn-ghost btn-small"
            aria-label={`Cancel queued message: ${preview(m.text)}`}
            onClick={() => onCancel(m.key)}
          >
            Cancel
          </button>
        </li>
      ))}
    </ul>
  );
}
