// highlight.js loads on demand (its own chunk): the first answer with a code block fetches it,
// until then code shows plain, and every Markdown view re-renders once it is there.
import { useSyncExternalStore } from 'react';

type Highlight = (code: string, language: string) => string | null;

let highlightFn: Highlight | null = null;
let loading: Promise<void> | null = null;
let version = 0;
const listeners = new Set<() => void>();

/** Colours `code`, or null while the highlighter is not loaded (or the language is unknown). */
export function highlightCode(code: string, language: string): string | null {
  if (!highlightFn) {
    void loadHighlighter();
    return null;
  }
  return highlightFn(code, language);
}

export function loadHighlighter(): Promise<void> {
  loading ??= import('./highlight-languages').then((m) => {
    highlightFn = m.highlightWith;
    version++;
    for (const l of listeners) l();
  });
  return loading;
}

/** Changes when the highlighter arrives: a Markdown view keyed on it renders its code again. */
export function useHighlighterVersion(): number {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => version,
  );
}
