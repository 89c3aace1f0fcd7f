// One file of the working folder: text with syntax highlighting (highlight.js, loaded on first
// use), an image as a preview, anything else as a download. The bytes come as the server typed
// them: HTML and SVG arrive as text and are shown as their source, never rendered.
import { useEffect, useState } from 'react';
import { workspaceApi } from '../workspace-api';

type Shown =
  | { kind: 'loading' }
  | { kind: 'error'; message: string }
  | { kind: 'image'; url: string }
  | { kind: 'text'; text: string; html: string | null }
  | { kind: 'binary' };

/** Text past this length is shown plain: highlighting it would stall the page. */
const MAX_HIGHLIGHT_CHARS = 200_000;

async function highlight(text: string, path: string): Promise<string | null> {
  if (text.length > MAX_HIGHLIGHT_CHARS) return null;
  const ext = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  if (!ext) return null;
  const hljs = (await import('highlight.js/lib/common')).default;
  if (!hljs.getLanguage(ext)) return null;
  return hljs.highlight(text, { language: ext, ignoreIllegals: true }).value;
}

interface Props {
  sessionId: string;
  path: string;
  revision: number;
  onClose: () => void;
}

export function WorkspaceViewer({ sessionId, path, revision, onClose }: Props) {
  const [shown, setShown] = useState<Shown>({ kind: 'loading' });
  // biome-ignore lint/correctness/useExhaustiveDependencies: revision reloads the file after the agent changed files
  useEffect(() => {
    let live = true;
    let url: string | null = null;
    workspaceApi.content(sessionId, path).then(
      async (c) => {
        if (!live) return;
        if (c.kind === 'image') {
          url = URL.createObjectURL(c.blob);
          setShown({ kind: 'image', url });
        } else if (c.kind === 'text') {
          setShown({ kind: 'text', text: c.text, html: null });
          const html = await highlight(c.text, path).catch(() => null);
          if (live && html !== null) setShown({ kind: 'text', text: c.text, html });
        } else setShown({ kind: 'binary' });
      },
      (e: Error) => live && setShown({ kind: 'error', message: e.message }),
    );
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [sessionId, path, revision]);
  return (
    <section className="ws-viewer" aria-label={`File ${path}`}>
      <div className="ws-viewer-bar">
        <button type="button" className="btn btn-ghost btn-small" onClick={onClose}>
          ← Files
        </button>
        <h3 className="ws-viewer-path">{path}</h3>
        <a className="btn btn-small" href={workspaceApi.downloadUrl(sessionId, path)} download>
          Download
        </a>
      </div>
      <div className="ws-viewer-body">
        {shown.kind === 'loading' && <p className="ws-note">Loading…</p>}
        {shown.kind === 'error' && (
          <p className="ws-note ws-error" role="alert">
            {shown.message}
          </p>
        )}
        {shown.kind === 'binary' && <p className="ws-note">This file cannot be shown here. Use Download to save it.</p>}
        {shown.kind === 'image' && <img className="ws-image" src={shown.url} alt={`Preview of ${path}`} />}
        {shown.kind === 'text' && (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
          <section className="ws-code-wrap" aria-label={`Contents of ${path}`} tabIndex={0}>
            <pre className="ws-code">
              {shown.html !== null ? (
                // biome-ignore lint/security/noDangerouslySetInnerHtml: highlight.js escapes the text it colours
                <code className="hljs" dangerouslySetInnerHTML={{ __html: shown.html }} />
              ) : (
                <code>{shown.text}</code>
              )}
            </pre>
          </section>
        )}
      </div>
    </section>
  );
}
