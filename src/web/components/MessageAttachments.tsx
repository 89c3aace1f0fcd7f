// The files of a user message in the transcript: image thumbnails, other files as chips.
// A file just sent shows the browser's own copy; one from history is fetched from
// GET /api/v1/sessions/{id}/attachments/{attachment_id} (the REST client, on the sign-in cookie) into a
// blob: URL (the CSP allows images only from here, data: and blob:; never a remote URL).
import { memo, useEffect, useState } from 'react';
import { type AttachmentView, formatSize } from '../attachments';
import { download } from '../rest-client';
import { typeLabel } from './AttachmentChips';
import { ImageViewer } from './ImageViewer';
import './MessageAttachments.css';

function useRemoteUrl(remote: AttachmentView['remote'], enabled: boolean): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!remote || !enabled) return;
    let made: string | null = null;
    let live = true;
    void download(`/api/v1/sessions/${remote.sessionId}/attachments/${encodeURIComponent(remote.id)}`, remote.id)
      .then(({ blob: b }) => {
        if (!live) return;
        made = URL.createObjectURL(b);
        setUrl(made);
      })
      .catch(() => undefined);
    return () => {
      live = false;
      if (made) URL.revokeObjectURL(made);
    };
  }, [remote, enabled]);
  return url;
}

const Thumb = memo(function Thumb({ a }: { a: AttachmentView }) {
  const image = a.media_type.startsWith('image/');
  const remoteUrl = useRemoteUrl(a.remote, image && !a.localUrl);
  const src = a.localUrl ?? remoteUrl;
  const [large, setLarge] = useState(false);
  if (image)
    return (
      <li className="msg-attach msg-attach-image">
        {src ? (
          <>
            <img src={src} alt={a.name} />
            {/* A sibling over the image (not its parent), so the image keeps its own name. */}
            <button type="button" className="msg-attach-open" aria-label={`Open ${a.name} large`} onClick={() => setLarge(true)} />
          </>
        ) : (
          <span className="msg-attach-placeholder" role="img" aria-label={a.name} />
        )}
        {large && src && <ImageViewer src={src} name={a.name} onClose={() => setLarge(false)} />}
      </li>
    );
  return (
    <li className="msg-attach msg-attach-file">
      <span className="msg-attach-type" aria-hidden="true">
        {typeLabel(a.media_type)}
      </span>
      <span className="msg-attach-name">{a.name}</span>
      <span className="msg-attach-size">{formatSize(a.size)}</span>
    </li>
  );
});

export function MessageAttachments({ items }: { items: AttachmentView[] }) {
  return (
    <ul className="msg-attachments" aria-label="Attachments">
      {items.map((a, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a message's files keep their order
        <Thumb key={i} a={a} />
      ))}
    </ul>
  );
}
