// The conversation follows its end: a message just sent scrolls into view and the answer is
// followed as it grows (images, code highlighting and the box shrinking after a send
// included), unless the person scrolled up during it; scrolling back to the end, sending
// or "Jump to latest" follows again. Another session (a fork, a switch) opens at its end.
import { type RefObject, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Item } from '../state/types';

const NEAR_END_PX = 80;

export interface Follow {
  /** Read during layout: whether to keep the end in view. */
  following: RefObject<boolean>;
  /** Whether the end is in view (else "Jump to latest" shows). */
  atEnd: boolean;
  toBottom(): void;
  resume(): void;
}

export function useFollow(
  scroller: RefObject<HTMLDivElement | null>,
  content: RefObject<HTMLDivElement | null>,
  items: Item[],
  sessionKey: string,
): Follow {
  const following = useRef(true);
  const [atEnd, setAtEnd] = useState(true);
  const lastTop = useRef(0);

  // Another session opened: follow its end, however far up the last one was scrolled. A layout
  // effect, so it runs before the transcript's own (which then scrolls to the end) in the same commit.
  const shownKey = useRef(sessionKey);
  useLayoutEffect(() => {
    if (shownKey.current === sessionKey) return;
    shownKey.current = sessionKey;
    following.current = true;
    setAtEnd(true);
  });

  const toBottom = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    lastTop.current = el.scrollTop;
  }, [scroller]);

  // A message the person just sent: show it and follow its answer, wherever they had scrolled.
  const lastItem = items[items.length - 1];
  const sentId = lastItem?.kind === 'user' && lastItem.pending ? lastItem.id : null;
  useEffect(() => {
    if (!sentId) return;
    following.current = true;
    setAtEnd(true);
    toBottom();
  }, [sentId, toBottom]);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onScroll = () => {
      const nearEnd = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_END_PX;
      // Only a move up is the person's: content growing or the box resizing never stops following.
      if (nearEnd) following.current = true;
      else if (el.scrollTop < lastTop.current - 1) following.current = false;
      lastTop.current = el.scrollTop;
      setAtEnd(nearEnd || following.current);
    };
    // Size changes that are not renders (an image loads, the message box shrinks): keep the end in view.
    const ro =
      typeof ResizeObserver === 'undefined'
        ? null
        : new ResizeObserver(() => {
            if (following.current) toBottom();
          });
    ro?.observe(el);
    if (content.current) ro?.observe(content.current);
    el.addEventListener('scroll', onScroll, { passive: true });
    return () => {
      ro?.disconnect();
      el.removeEventListener('scroll', onScroll);
    };
  }, [scroller, content, toBottom]);

  const resume = useCallback(() => {
    following.current = true;
    setAtEnd(true);
    const el = scroller.current;
    if (el) el.scrollTo({ top: el.scrollHeight, behavior: 'smooth' });
  }, [scroller]);

  return { following, atEnd, toBottom, resume };
}
