// Actions on a sent message: "Fork from here" (a new session with the conversation before
// this message) and "Rewind files to here" (a preview of what would change, then a restore
// on confirm). Both are REST calls the owner alone may make.
import { createContext, useContext, useState } from 'react';
import type { RewindFilesResponse } from '../../protocol/messages';
import './MessageActions.css';

export interface MessageActionHandlers {
  fork(messageId: string): Promise<void>;
  rewind(messageId: string, dryRun: boolean): Promise<RewindFilesResponse>;
}

export const MessageActionsContext = createContext<MessageActionHandlers | null>(null);

type Rewind =
  | { step: 'idle' }
  | { step: 'busy' }
  | { step: 'preview'; r: RewindFilesResponse }
  | { step: 'done'; r: RewindFilesResponse }
  | { step: 'error'; message: string };

export function MessageActions({ messageId, canFork }: { messageId: string; canFork: boolean }) {
  const h = useContext(MessageActionsContext);
  const [rewind, setRewind] = useState<Rewind>({ step: 'idle' });
  const [forkError, setForkError] = useState<string | null>(null);
  if (!h) return null;
  const run = async (dryRun: boolean) => {
    setRewind({ step: 'busy' });
    try {
      const got = await h.rewind(messageId, dryRun);
      // A real rewind may not list the files again: the preview's list is what it restored.
      const r =
        !dryRun && got.files_changed.length === 0 && rewind.step === 'preview' ? { ...got, files_changed: rewind.r.files_changed } : got;
      setRewind(r.can_rewind ? { step: dryRun ? 'preview' : 'done', r } : { step: 'error', message: r.error ?? 'Nothing to rewind here.' });
    } catch (e) {
      setRewind({ step: 'error', message: (e as Error).message });
    }
  };
  const files = (r: RewindFilesResponse) => (
    <ul className="rewind-files">
      {r.files_changed.map((f) => (
        <li key={f}>
          <code>{f}</code>
        </li>
      ))}
    </ul>
  );
  return (
    <div className="message-actions">
      <div className="message-action-buttons">
        {canFork && (
          <button
            type="button"
            className="btn btn-ghost btn-small"
            onClick={() => h.fork(messageId).catch((e: Error) => setForkError(e.message))}
          >
            Fork from here
          </button>
        )}
        <button type="button" className="btn btn-ghost btn-small" disabled={rewind.step === 'busy'} onClick={() => void run(true)}>
          Rewind files to here
        </button>
      </div>
      {forkError && <p className="rewind-error">{forkError}</p>}
      {rewind.step === 'preview' && (
        <section className="rewind-panel" aria-label="Rewind preview">
          {rewind.r.files_changed.length === 0 ? (
            <p>No file changed since this message.</p>
          ) : (
            <>
              <p>
                {rewind.r.files_changed.length} file{rewind.r.files_changed.length === 1 ? '' : 's'} will go back to how
                {rewind.r.files_changed.length === 1 ? ' it was' : ' they were'} before this message (+{rewind.r.insertions} −
                {rewind.r.deletions} lines):
              </p>
              {files(rewind.r)}
            </>
          )}
          <div className="permission-actions">
            {rewind.r.files_changed.length > 0 && (
              <button type="button" className="btn btn-primary" onClick={() => void run(false)}>
                Restore files
              </button>
            )}
            <button type="button" className="btn" onClick={() => setRewind({ step: 'idle' })}>
              Cancel
            </button>
          </div>
        </section>
      )}
      {rewind.step === 'done' && (
        <p className="rewind-done" role="status">
          Files restored: {rewind.r.files_changed.length}.
        </p>
      )}
      {rewind.step === 'error' && <p className="rewind-error">{rewind.message}</p>}
    </div>
  );
}
