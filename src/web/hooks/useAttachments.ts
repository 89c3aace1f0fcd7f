// The composer's attached files, kept per session like the draft: added by the file button,
// paste or drop (in a batch with a bad file the good ones are attached and each refused one
// is named with its reason); removed one by one; cleared when the message is sent; put back
// when the server refuses them.
import { type ClipboardEvent, type DragEvent, useCallback, useEffect, useRef, useState } from 'react';
import { attachmentKind } from '../../protocol/attachments';
import { mediaTypeOf, type PendingAttachment, partitionAttachments, readAsBase64 } from '../attachments';

export interface Attachments {
  list: PendingAttachment[];
  error: string | null;
  dragging: boolean;
  add(files: Iterable<File>): Promise<void>;
  remove(key: string): void;
  /** After a send: the files now belong to the message (their thumbnails stay valid). */
  clear(): void;
  /** A refused message's files come back to the box of its session, with the reason. */
  restore(sessionKey: string, list: PendingAttachment[], error: string): void;
  onPaste(e: ClipboardEvent): void;
  dropProps: {
    onDragOver(e: DragEvent): void;
    onDragLeave(e: DragEvent): void;
    onDrop(e: DragEvent): void;
  };
}

interface Box {
  list: PendingAttachment[];
  error: string | null;
}
const EMPTY: Box = { list: [], error: null };

export function useAttachments(sessionKey: string): Attachments {
  const [boxes, setBoxes] = useState<Record<string, Box>>({});
  const [dragging, setDragging] = useState(false);
  const box = boxes[sessionKey] ?? EMPTY;
  const current = useRef(boxes);
  current.current = boxes;
  const counter = useRef(0);

  const update = useCallback((key: string, fn: (b: Box) => Box) => setBoxes((all) => ({ ...all, [key]: fn(all[key] ?? EMPTY) })), []);

  const add = useCallback(
    async (files: Iterable<File>) => {
      const key = sessionKey;
      const incoming = [...files];
      if (incoming.length === 0) return;
      const described = incoming.map((f) => ({ file: f, name: f.name || 'pasted', media_type: mediaTypeOf(f), size: f.size }));
      const { accepted, refused } = partitionAttachments(current.current[key]?.list ?? [], described);
      const errors = [...refused];
      const read: PendingAttachment[] = [];
      for (const d of accepted) {
        try {
          read.push({
            key: `a${++counter.current}`,
            name: d.name,
            media_type: d.media_type,
            size: d.size,
            data: await readAsBase64(d.file),
            url: attachmentKind(d.media_type) === 'image' ? URL.createObjectURL(d.file) : null,
          });
        } catch {
          errors.push(`${d.name}: the file could not be read`);
        }
      }
      update(key, (b) => ({ list: [...b.list, ...read], error: errors.length ? errors.join('\n') : null }));
    },
    [sessionKey, update],
  );

  const remove = useCallback(
    (key: string) =>
      update(sessionKey, (b) => {
        const gone = b.list.find((a) => a.key === key);
        if (gone?.url) URL.revokeObjectURL(gone.url);
        return { list: b.list.filter((a) => a.key !== key), error: null };
      }),
    [sessionKey, update],
  );

  const clear = useCallback(() => update(sessionKey, () => EMPTY), [sessionKey, update]);

  const restore = useCallback(
    (key: string, back: PendingAttachment[], why: string) =>
      update(key, (b) => ({ list: [...back, ...b.list.filter((a) => !back.some((x) => x.key === a.key))], error: why })),
    [update],
  );

  // Object URLs of files still in a box go with the page.
  useEffect(
    () => () => {
      for (const b of Object.values(current.current)) for (const a of b.list) if (a.url) URL.revokeObjectURL(a.url);
    },
    [],
  );

  const onPaste = useCallback(
    (e: ClipboardEvent) => {
      const files = [...e.clipboardData.files];
      if (files.length === 0) return; // plain text pastes as usual
      e.preventDefault();
      void add(files);
    },
    [add],
  );

  const dropProps = {
    onDragOver: (e: DragEvent) => {
      if (![...e.dataTransfer.types].includes('Files')) return;
      e.preventDefault();
      setDragging(true);
    },
    onDragLeave: (e: DragEvent) => {
      if (e.currentTarget.contains(e.relatedTarget as Node | null)) return;
      setDragging(false);
    },
    onDrop: (e: DragEvent) => {
      if (e.dataTransfer.files.length === 0) return;
      e.preventDefault();
      setDragging(false);
      void add(e.dataTransfer.files);
    },
  };

  return { list: box.list, error: box.error, dragging, add, remove, clear, restore, onPaste, dropProps };
}
