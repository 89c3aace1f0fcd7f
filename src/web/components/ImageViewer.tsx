// A thumbnail opened large: a modal dialog with the image; Esc or Close shuts it and the
// focus goes back to the thumbnail (the browser's <dialog> does both).
import { useEffect, useRef } from 'react';
import './ImageViewer.css';

export function ImageViewer({ src, name, onClose }: { src: string; name: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="image-viewer" aria-label={name} onClose={onClose}>
      <img src={src} alt={name} />
      <div className="image-viewer-bar">
        <span className="image-viewer-name">{name}</span>
        <button type="button" className="btn btn-small" onClick={() => ref.current?.close()}>
          Close
        </button>
      </div>
    </dialog>
  );
}
