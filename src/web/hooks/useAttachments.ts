// The composer's attached files: added by the file button, paste or drop; removed one by
// one; cleared when the message is sent; put back when the server refuses them.
import { type ClipboardEvent, type DragEvent, useCallback, useEffect, useRef, useState } from 'react';
import { attachmentKind } from '../../protocol/attachments';
import { checkAttachments, mediaTypeOf, type PendingAttachment, readAsBase64 } from '../attachments';

export interface Attachments {
  list: PendingAttachment[];
  error: string | null;
  dragging: boolean;
  add(files: Iterable<File>): Promise<void>;
  remove(key: string): void;
  /** After a send: the files now belong to the message (their thumbnails stay valid). */
  clear(): void;
  restore(list: PendingAttachment[], error: string): void;
  onPaste(e: ClipboardEvent): void;
  dropProps: {
    onDragOver(e: DragEvent): void;
    onDragLeave(e: DragEvent): void;
    onDrop(e: DragEvent): void;
  };
}

export function useAttachments(): Attachments {
  const [list, setList] = useState<PendingAttachment[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const current = useRef(list);
  current.current = list;
  const counter = useRef(0);

  const add = useCallback(async (files: Iterable<File>) => {
    const incoming = [...files];
    if (incoming.length === 0) return;
    const described = incoming.map((f) => ({ file: f, name: f.name || 'pasted', media_type: mediaTypeOf(f), size: f.size }));
    const problem = checkAttachments([...current.current, ...described]);
    if (problem) {
      setError(problem);
      return;
    }
    try {
      const read = await Promise.all(
        described.map(async (d) => ({
          key: `a${++counter.current}`,
          name: d.name,
          media_type: d.media_type,
          size: d.size,
          data: await readAsBase64(d.file),
          url: attachmentKind(d.media_type) === 'image' ? URL.createObjectURL(d.file) : null,
        })),
      );
      setError(null);
      setList((l) => [...l, ...read]);
    } catch {
      setError('A file could not be read');
    }
  }, []);

  const remove = useCallback((key: string) => {
    setList((l) => {
      const gone = l.find((a) => a.key === key);
      if (gone?.url) URL.revokeObjectURL(gone.url);
      return l.filter((a) => a.key !== key);
    });
    setError(null);
  }, []);

  const clear = useCallback(() => {
    setList([]);
    setError(null);
  }, []);

  const restore = useCallback((back: PendingAttachment[], why: string) => {
    setList(back);
    setError(why);
  }, []);

  // Object URLs of files still in the box go with the page.
  useEffect(
    () => () => {
      for (const a of current.current) if (a.url) URL.revokeObjectURL(a.url);
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

  return { list, error, dragging, add, remove, clear, restore, onPaste, dropProps };
}
