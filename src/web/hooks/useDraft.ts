// The message box's text, kept per session (and for "no session yet") in this browser's
// localStorage, so a reload, a switch or a crash of the tab loses nothing typed.
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import { browserStorage, DRAFTS_STORAGE } from '../storage';

/** At most this many drafts are kept (the oldest go first). */
const MAX_DRAFTS = 50;

type Drafts = Record<string, string>;

function load(): Drafts {
  try {
    const raw = browserStorage()?.getItem(DRAFTS_STORAGE);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}

function save(d: Drafts): void {
  try {
    const entries = Object.entries(d).filter(([, t]) => t.length > 0);
    browserStorage()?.setItem(DRAFTS_STORAGE, JSON.stringify(Object.fromEntries(entries.slice(-MAX_DRAFTS))));
  } catch {
    // A full or blocked storage keeps the draft in memory only.
  }
}

export interface Draft {
  text: string;
  setText(t: string): void;
  /** Sets the draft of any session (a refused message goes back to its own session's box). */
  setFor(sessionKey: string, fn: (t: string) => string): void;
}

export function useDraft(sessionKey: string): Draft {
  const [drafts, setDrafts] = useState<Drafts>(load);
  const setFor = useCallback((key: string, fn: (t: string) => string) => {
    setDrafts((all) => {
      const { [key]: old = '', ...rest } = all;
      // The newest draft goes last, so the oldest are the ones dropped past MAX_DRAFTS.
      const next = { ...rest, [key]: fn(old) };
      save(next);
      return next;
    });
  }, []);
  // What was typed with no session open (or while one starts) follows into the session that opens
  // next, unless that session has a draft of its own: the box must not empty itself when a start ends.
  // A layout effect: it runs before the browser handles another key, so no keystroke can land in the
  // new session's empty box first (which would then count as its own draft and drop the carried text).
  const previous = useRef(sessionKey);
  useLayoutEffect(() => {
    const from = previous.current;
    previous.current = sessionKey;
    if (from !== '' || sessionKey === '') return;
    setDrafts((all) => {
      const carried = all[''];
      if (!carried || all[sessionKey]) return all;
      const { '': _, ...rest } = all;
      const next = { ...rest, [sessionKey]: carried };
      save(next);
      return next;
    });
  }, [sessionKey]);
  const setText = useCallback((t: string) => setFor(sessionKey, () => t), [sessionKey, setFor]);
  return { text: drafts[sessionKey] ?? '', setText, setFor };
}
