// The header's workspace summary: the working folder (shortened), the git branch and how many
// files changed. It opens and closes the Files / Changes panel.
import type { SessionSummary } from '../../protocol/messages';
import type { ChangesResponse } from '../../protocol/workspace';
import { shortPath } from '../workspace-api';
import './Workspace.css';

interface Props {
  session: SessionSummary;
  changes: ChangesResponse | null;
  open: boolean;
  onToggle: () => void;
}

export function WorkspaceButton({ session, changes, open, onToggle }: Props) {
  const dir = session.working_dir;
  const n = changes?.files.length ?? 0;
  return (
    <button
      type="button"
      className="btn btn-ghost btn-small ws-button"
      aria-expanded={open}
      aria-controls="workspace-panel"
      title={dir ? `Working folder: ${dir}` : undefined}
      onClick={onToggle}
    >
      <span className="sr-only">Files and changes: </span>
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
        <path
          d="M1.5 4.5a1 1 0 0 1 1-1h3.6l1.5 1.5h5.9a1 1 0 0 1 1 1v6.5a1 1 0 0 1-1 1h-11a1 1 0 0 1-1-1z"
          fill="none"
          stroke="currentColor"
          strokeWidth="1.3"
        />
      </svg>
      <span className="ws-path">{dir ? shortPath(dir) : 'Files'}</span>
      {changes?.branch && (
        <span className="ws-branch">
          <span className="sr-only">, branch </span>
          {changes.branch}
        </span>
      )}
      {changes && (
        <span className={`ws-count${n > 0 ? ' ws-count-some' : ''}`}>
          <span className="sr-only">, </span>
          {n}
          <span className="phone-sr-only"> changed</span>
        </span>
      )}
    </button>
  );
}
