// What the page keeps in this tab's sessionStorage: the key (never in localStorage, so it
// leaves with the tab) and the session that was open, for reloads.
export const KEY_STORAGE = 'csp.apiKey';
export const CURRENT_STORAGE = 'csp.currentSession';

/** This tab's storage, or null where the browser blocks it. */
export function tabStorage(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** Browser notifications on (a preference of this browser, not a secret: localStorage). */
export const NOTIFY_STORAGE = 'csp.notifications';

/** This browser's storage, or null where the browser blocks it. */
export function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** The message box's unsent text per session (this browser's localStorage: a reload keeps it). */
export const DRAFTS_STORAGE = 'csp.drafts';
