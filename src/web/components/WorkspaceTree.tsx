// The working folder as a tree of disclosure buttons: a folder's entries are fetched when it is
// first opened (and again after the agent changes files); a file opens in the viewer.
import { useEffect, useState } from 'react';
import type { WorkspaceEntry } from '../../protocol/workspace';
import { formatBytes, workspaceApi } from '../workspace-api';

interface Props {
  sessionId: string;
  path: string;
  revision: number;
  selected: string | null;
  onOpenFile: (path: string) => void;
}

const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);

export function WorkspaceTree({ sessionId, path, revision, selected, onOpenFile }: Props) {
  const [entries, setEntries] = useState<WorkspaceEntry[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Set<string>>(() => new Set());
  const [total, setTotal] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision reloads the folder after the agent changed files
  useEffect(() => {
    let live = true;
    workspaceApi.list(sessionId, path).then(
      (r) => {
        if (!live) return;
        setEntries(r.entries);
        setTotal(r.total);
        setError(null);
      },
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [sessionId, path, revision]);
  if (error) return <p className="ws-note ws-error">{error}</p>;
  if (!entries) return <p className="ws-note">Loading…</p>;
  const more = async () => {
    try {
      const r = await workspaceApi.list(sessionId, path, entries.length);
      setEntries([...entries, ...r.entries]);
      setTotal(r.total);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  if (entries.length === 0) return <p className="ws-note">{path ? 'Empty folder' : 'The working folder is empty'}</p>;
  return (
    <ul className="ws-tree">
      {entries.map((e) => {
        const p = join(path, e.name);
        if (e.type === 'dir') {
          const isOpen = open.has(p);
          return (
            <li key={e.name}>
              <button
                type="button"
                className="ws-entry ws-dir"
                aria-expanded={isOpen}
                onClick={() =>
                  setOpen((s) => {
                    const n = new Set(s);
                    if (isOpen) n.delete(p);
                    else n.add(p);
                    return n;
                  })
                }
              >
                <span className="ws-caret" aria-hidden="true">
                  {isOpen ? '▾' : '▸'}
                </span>
                {e.name}
              </button>
              {isOpen && <WorkspaceTree sessionId={sessionId} path={p} revision={revision} selected={selected} onOpenFile={onOpenFile} />}
            </li>
          );
        }
        return (
          <li key={e.name}>
            <button
              type="button"
              className="ws-entry ws-file"
              aria-current={selected === p ? 'true' : undefined}
              onClick={() => onOpenFile(p)}
            >
              <span className="ws-caret" aria-hidden="true" />
              <span className="ws-name">{e.name}</span>
              {e.type === 'symlink' ? <span className="ws-meta">link</span> : <span className="ws-meta">{formatBytes(e.size)}</span>}
            </button>
          </li>
        );
      })}
      {entries.length < total && (
        <li>
          <button type="button" className="ws-entry ws-more" onClick={() => void more()}>
            Show more ({total - entries.length} more in {path || 'this folder'})
          </button>
        </li>
      )}
    </ul>
  );
}
