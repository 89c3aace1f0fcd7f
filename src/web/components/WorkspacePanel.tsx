// The Files / Changes panel beside the conversation (a sheet from the bottom on a phone): the
// working folder's tree and a file viewer, or the changed files with their diffs.
import { type KeyboardEvent, useRef, useState } from 'react';
import type { SessionSummary } from '../../protocol/messages';
import type { WorkspaceChanges as Changes } from '../hooks/useWorkspaceChanges';
import { workspaceApi } from '../workspace-api';
import { WorkspaceChanges } from './WorkspaceChanges';
import { WorkspaceTree } from './WorkspaceTree';
import { WorkspaceViewer } from './WorkspaceViewer';
import './Workspace.css';

type Tab = 'files' | 'changes';

interface Props {
  session: SessionSummary;
  workspace: Changes;
  revision: number;
  onClose: () => void;
}

export function WorkspacePanel({ session, workspace, revision, onClose }: Props) {
  const [tab, setTab] = useState<Tab>('files');
  const [file, setFile] = useState<string | null>(null);
  const tabs = useRef<Record<Tab, HTMLButtonElement | null>>({ files: null, changes: null });
  const id = session.session_id;
  const select = (t: Tab) => {
    setTab(t);
    if (t === 'changes') workspace.refresh();
  };
  const onTabKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const next: Tab = tab === 'files' ? 'changes' : 'files';
    select(next);
    tabs.current[next]?.focus();
  };
  const n = workspace.changes?.files.length;
  return (
    <aside id="workspace-panel" className="ws-panel" aria-label="Workspace">
      <div className="ws-head">
        <div className="ws-tabs" role="tablist" aria-label="Workspace views">
          {(['files', 'changes'] as const).map((t) => (
            <button
              key={t}
              ref={(el) => {
                tabs.current[t] = el;
              }}
              type="button"
              role="tab"
              id={`ws-tab-${t}`}
              aria-selected={tab === t}
              aria-controls={`ws-tabpanel-${t}`}
              tabIndex={tab === t ? 0 : -1}
              className="ws-tab"
              onClick={() => select(t)}
              onKeyDown={onTabKey}
            >
              {t === 'files' ? 'Files' : `Changes${n ? ` (${n})` : ''}`}
            </button>
          ))}
        </div>
        <button type="button" className="icon-btn" aria-label="Close the workspace panel" onClick={onClose}>
          <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
            <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
          </svg>
        </button>
      </div>
      <div className="ws-body" role="tabpanel" id={`ws-tabpanel-${tab}`} aria-labelledby={`ws-tab-${tab}`}>
        {tab === 'files' ? (
          file ? (
            <WorkspaceViewer sessionId={id} path={file} revision={revision} onClose={() => setFile(null)} />
          ) : (
            <>
              <div className="ws-files-bar">
                <span className="ws-meta" title={session.working_dir}>
                  {session.working_dir ?? ''}
                </span>
                <a className="btn btn-small" href={workspaceApi.archiveUrl(id, '')} download>
                  Download folder
                </a>
              </div>
              <WorkspaceTree sessionId={id} path="" revision={revision} selected={file} onOpenFile={setFile} />
            </>
          )
        ) : (
          <WorkspaceChanges sessionId={id} changes={workspace.changes} error={workspace.error} />
        )}
      </div>
    </aside>
  );
}
