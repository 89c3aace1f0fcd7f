// Delete (for good, after a confirm) and the Archived view: archived sessions, each restorable or deletable.
import { useEffect, useRef, useState } from 'react';
import type { SessionListItem, SessionSummary } from '../../protocol/messages';
import type { Api } from '../api';
import { relativeTime, sessionTitle } from '../format';
import './SessionArchive.css';

/** Asks before a session is deleted for good. */
export function ConfirmDelete({
  session,
  onConfirm,
  onClose,
}: {
  session: SessionSummary;
  onConfirm: () => Promise<void>;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="confirm-delete-title" onClose={onClose}>
      <h2 id="confirm-delete-title">Delete this session?</h2>
      <p>
        “{sessionTitle(session)}” is deleted for good: its conversation, its attached files and its Claude process. This cannot be undone.
      </p>
      {error && (
        <p role="alert" className="archive-error">
          {error}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={() => ref.current?.close()}>
          Cancel
        </button>
        <button
          type="button"
          className="btn btn-danger"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            try {
              await onConfirm();
              ref.current?.close();
            } catch (e) {
              setError(e instanceof Error ? e.message : String(e));
              setBusy(false);
            }
          }}
        >
          Delete
        </button>
      </div>
    </dialog>
  );
}

/** The "Archived" button and its dialog: archived sessions to restore or delete. */
export function ArchivedSessions({
  api,
  onRestored,
  onDeleted,
}: {
  api: Api;
  onRestored: (s: SessionSummary) => void;
  onDeleted: (id: string) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<SessionListItem[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<SessionSummary | null>(null);
  const now = Date.now();

  useEffect(() => {
    if (!open) return;
    const d = ref.current;
    if (d && !d.open) d.showModal();
    setItems(null);
    setError(null);
    api.archived().then(setItems, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [open, api]);

  const act = async (fn: () => Promise<void>) => {
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <>
      <button type="button" className="btn btn-archived" onClick={() => setOpen(true)}>
        Archived
      </button>
      {open && (
        <dialog ref={ref} className="dialog archived-dialog" aria-labelledby="archived-title" onClose={() => setOpen(false)}>
          <h2 id="archived-title">Archived sessions</h2>
          {error && (
            <p role="alert" className="archive-error">
              {error}
            </p>
          )}
          {items === null && !error ? (
            <p>Loading…</p>
          ) : items?.length === 0 ? (
            <p>No archived sessions.</p>
          ) : (
            <ul className="archived-list">
              {items?.map((s) => {
                const title = sessionTitle(s);
                return (
                  <li key={s.session_id}>
                    <span className="archived-title">{title}</span>
                    <span className="archived-when">{relativeTime(s.last_active_at, now)}</span>
                    <button
                      type="button"
                      className="btn"
                      aria-label={`Restore ${title}`}
                      onClick={() =>
                        act(async () => {
                          onRestored(await api.unarchive(s.session_id));
                          setItems((xs) => xs?.filter((x) => x.session_id !== s.session_id) ?? null);
                        })
                      }
                    >
                      Restore
                    </button>
                    <button type="button" className="btn btn-danger" aria-label={`Delete ${title}`} onClick={() => setDeleting(s)}>
                      Delete
                    </button>
                  </li>
                );
              })}
            </ul>
          )}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => ref.current?.close()}>
              Close
            </button>
          </div>
          {deleting && (
            <ConfirmDelete
              session={deleting}
              onConfirm={async () => {
                await api.remove(deleting.session_id);
                onDeleted(deleting.session_id);
                setItems((xs) => xs?.filter((x) => x.session_id !== deleting.session_id) ?? null);
              }}
              onClose={() => setDeleting(null)}
            />
          )}
        </dialog>
      )}
    </>
  );
}
