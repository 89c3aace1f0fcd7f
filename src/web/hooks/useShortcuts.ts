// The page's keyboard shortcuts: Esc stops the answer, Ctrl/Cmd+K searches the sessions,
// Ctrl/Cmd+Shift+O starts a new session, `?` (outside text fields) lists them. A key some
// other part of the page already handled (the slash palette, search, a menu, a dialog) is
// left alone.
import { useEffect, useEffectEvent } from 'react';

export interface ShortcutHandlers {
  /** Esc: only while an answer streams. */
  onStop: (() => void) | null;
  onSearch(): void;
  onNewSession(): void;
  onHelp(): void;
}

export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: 'Enter', what: 'Send the message (queued while Claude answers)' },
  { keys: 'Shift + Enter', what: 'New line in the message' },
  { keys: 'Esc', what: 'Stop the answer' },
  { keys: 'Ctrl/⌘ + K', what: 'Search sessions' },
  { keys: 'Ctrl/⌘ + Shift + O', what: 'New session' },
  { keys: '/', what: 'Commands (at the start of the message)' },
  { keys: '?', what: 'This list (outside text fields)' },
];

function inTextField(t: EventTarget | null): boolean {
  if (!(t instanceof HTMLElement)) return false;
  return (
    t.isContentEditable ||
    t instanceof HTMLTextAreaElement ||
    t instanceof HTMLSelectElement ||
    (t instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit'].includes(t.type))
  );
}

export function useShortcuts(h: ShortcutHandlers): void {
  const onKey = useEffectEvent((e: KeyboardEvent) => {
    if (e.defaultPrevented || e.isComposing) return;
    const mod = e.ctrlKey || e.metaKey;
    if (e.key === 'Escape' && !mod && h.onStop && !document.querySelector('dialog[open]')) {
      // In a field other than the message box, Esc belongs to that field.
      const t = e.target;
      if (inTextField(t) && !(t instanceof HTMLTextAreaElement && t.getAttribute('aria-label') === 'Message')) return;
      e.preventDefault();
      h.onStop();
    } else if (mod && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'k') {
      e.preventDefault();
      h.onSearch();
    } else if (mod && e.shiftKey && !e.altKey && e.key.toLowerCase() === 'o') {
      e.preventDefault();
      h.onNewSession();
    } else if (e.key === '?' && !mod && !e.altKey && !inTextField(e.target) && !document.querySelector('dialog[open]')) {
      e.preventDefault();
      h.onHelp();
    }
  });
  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);
}
