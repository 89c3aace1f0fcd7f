// The changed files of the working folder with their +/− counts; a click shows the file's diff
// in the view the tool cards use. "Changed by this session" keeps the agent's own files only.
import { useState } from 'react';
import type { ChangedFile, ChangesResponse } from '../../protocol/workspace';
import { type FileDiff, parseUnifiedDiff } from '../diff';
import { workspaceApi } from '../workspace-api';
import { DiffView } from './DiffView';

const STATUS: Record<ChangedFile['status'], string> = {
  added: 'added',
  modified: 'modified',
  deleted: 'deleted',
  renamed: 'renamed',
  untracked: 'new',
  conflicted: 'conflict',
};

interface Props {
  sessionId: string;
  changes: ChangesResponse | null;
  error: string | null;
}

type Opened = { path: string; diff: FileDiff | null; note: string | null };

export function WorkspaceChanges({ sessionId, changes, error }: Props) {
  const [mine, setMine] = useState(false);
  const [opened, setOpened] = useState<Opened | null>(null);
  if (error) return <p className="ws-note ws-error">{error}</p>;
  if (!changes) return <p className="ws-note">Loading…</p>;
  const files = mine ? changes.files.filter((f) => f.by_session) : changes.files;
  const open = async (f: ChangedFile) => {
    if (opened?.path === f.path) return setOpened(null);
    setOpened({ path: f.path, diff: null, note: 'Loading…' });
    try {
      const d = await workspaceApi.diff(sessionId, f.path);
      setOpened({
        path: f.path,
        diff: d.diff ? parseUnifiedDiff(f.path, d.diff) : null,
        note: d.binary ? 'Binary file: no text diff.' : d.diff ? null : 'No difference to show.',
      });
    } catch (e) {
      setOpened({ path: f.path, diff: null, note: (e as Error).message });
    }
  };
  return (
    <div className="ws-changes">
      <div className="ws-changes-bar">
        <label className="ws-filter">
          <input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} />
          Changed by this session
        </label>
        <span className="ws-meta">
          {changes.is_repository ? (changes.branch ?? 'detached HEAD') : 'Not a git repository'}
          {changes.head ? ` · ${changes.head.slice(0, 7)}` : ''}
        </span>
      </div>
      {files.length === 0 ? (
        <p className="ws-note">{mine ? 'This session has not changed any file.' : 'No changes.'}</p>
      ) : (
        <ul className="ws-change-list">
          {files.map((f) => (
            <li key={f.path}>
              <button type="button" className="ws-entry ws-change" aria-expanded={opened?.path === f.path} onClick={() => void open(f)}>
                <span className="ws-name">{f.path}</span>
                <span className={`ws-status ws-status-${f.status}`}>{STATUS[f.status]}</span>
                {f.additions !== null && (
                  <span className="diff-stat-add">
                    +{f.additions}
                    <span className="sr-only"> lines added</span>
                  </span>
                )}
                {f.deletions !== null && (
                  <span className="diff-stat-del">
                    −{f.deletions}
                    <span className="sr-only"> lines removed</span>
                  </span>
                )}
              </button>
              {opened?.path === f.path && (
                <div className="ws-diff">
                  {opened.diff && <DiffView diff={opened.diff} />}
                  {opened.note && <p className="ws-note">{opened.note}</p>}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {changes.truncated && <p className="ws-note">More files changed than are listed here.</p>}
    </div>
  );
}
