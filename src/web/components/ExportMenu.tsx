// "Export" for the open session: Markdown to read, JSON to process. The file is fetched
// with the tab's key (never in a URL) and saved as a download.
import { useEffect, useRef, useState } from 'react';
import { type Api, type ExportFormat, saveFile } from '../api';
import './ExportMenu.css';

export function ExportMenu({ api, sessionId }: { api: Api | null; sessionId: string }) {
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (!root.current?.contains(e.target as Node)) setOpen(false);
    };
    const esc = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', esc);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', esc);
    };
  }, [open]);

  const download = async (format: ExportFormat) => {
    if (!api) return;
    setBusy(true);
    setError(null);
    try {
      const { blob, filename } = await api.exportFile(sessionId, format);
      saveFile(blob, filename);
      setOpen(false);
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Export failed');
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="export-menu" ref={root}>
      <button
        type="button"
        className="btn btn-ghost btn-small"
        aria-expanded={open}
        aria-haspopup="true"
        disabled={!api}
        onClick={() => setOpen((o) => !o)}
      >
        <svg className="phone-only" viewBox="0 0 16 16" width="15" height="15" aria-hidden="true">
          <path
            d="M8 2v8M4.5 6.5L8 10l3.5-3.5M2.5 13.5h11"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
            strokeLinecap="round"
            strokeLinejoin="round"
          />
        </svg>
        <span className="phone-sr-only">Export</span>
      </button>
      {open && (
        <fieldset className="export-popover">
          <legend className="sr-only">Export conversation</legend>
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void download('markdown')}>
            Export as Markdown
          </button>
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => void download('json')}>
            Export as JSON
          </button>
          {error && (
            <p className="export-error" role="alert">
              {error}
            </p>
          )}
        </fieldset>
      )}
    </div>
  );
}
