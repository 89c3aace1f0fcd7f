// The files attached in the composer: a chip each (thumbnail or type, name, size) with a
// remove button, the button that opens the file picker, and the reason a file was refused.
import { useRef } from 'react';
import { formatSize, type PendingAttachment } from '../attachments';
import type { Attachments } from '../hooks/useAttachments';
import './AttachmentChips.css';

const ACCEPT =
  'image/png,image/jpeg,image/gif,image/webp,application/pdf,text/*,.md,.ts,.tsx,.js,.json,.yaml,.yml,.toml,.py,.go,.rs,.sh,.sql,.csv,.log';

export function typeLabel(mediaType: string): string {
  if (mediaType === 'application/pdf') return 'PDF';
  if (mediaType.startsWith('image/')) return mediaType.slice(6).toUpperCase();
  return 'TXT';
}

function Chip({ a, onRemove }: { a: PendingAttachment; onRemove: () => void }) {
  return (
    <li className="attach-chip">
      {a.url ? (
        <img className="attach-chip-thumb" src={a.url} alt="" />
      ) : (
        <span className="attach-chip-type" aria-hidden="true">
          {typeLabel(a.media_type)}
        </span>
      )}
      <span className="attach-chip-name">{a.name}</span>
      <span className="attach-chip-size">{formatSize(a.size)}</span>
      <button type="button" className="attach-chip-remove" aria-label={`Remove ${a.name}`} onClick={onRemove}>
        <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden="true">
          <path d="M4 4l8 8M12 4l-8 8" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
        </svg>
      </button>
    </li>
  );
}

export function AttachmentChips({ files }: { files: Attachments }) {
  if (files.list.length === 0 && !files.error) return null;
  return (
    <div className="attach-tray">
      {files.list.length > 0 && (
        <ul className="attach-chips" aria-label="Attached files">
          {files.list.map((a) => (
            <Chip key={a.key} a={a} onRemove={() => files.remove(a.key)} />
          ))}
        </ul>
      )}
      {files.error && (
        <p className="attach-error" role="alert">
          {files.error}
        </p>
      )}
    </div>
  );
}

export function AttachButton({ files, disabled }: { files: Attachments; disabled: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className="btn btn-ghost btn-attach"
        aria-label="Attach files"
        title="Attach files"
        disabled={disabled}
        onClick={() => input.current?.click()}
      >
        <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
          <path
            d="M13 7.5l-5.3 5.3a3.2 3.2 0 01-4.5-4.5l5.6-5.6a2.1 2.1 0 013 3L6.2 11.3a1.1 1.1 0 01-1.5-1.5L9.8 4.7"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.5"
            strokeLinecap="round"
          />
        </svg>
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept={ACCEPT}
        tabIndex={-1}
        aria-hidden="true"
        data-testid="attach-input"
        onChange={(e) => {
          if (e.target.files) void files.add(e.target.files);
          e.target.value = '';
        }}
      />
    </>
  );
}
