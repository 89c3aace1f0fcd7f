// What the page keeps. This tab's sessionStorage: the key (never in localStorage, so it leaves
// with the tab), the session that was open and the queued messages, for reloads. This browser's
// localStorage: the notification preference and the drafts (with their owner; gone at sign-out).
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

/** Whose drafts this browser keeps (a user id): another user signing in here starts without them. */
export const DRAFTS_OWNER_STORAGE = 'csp.drafts.owner';
/** Messages queued behind an answer in this tab, kept for a reload (this tab's sessionStorage: they are this tab's). */
export const QUEUED_STORAGE = 'csp.queued';

/** A queued message as kept for a reload: its text and the names of its files (their bytes are not kept). */
export interface KeptQueued {
  text: string;
  files: string[];
}

/** Forgets everything typed and not sent (at sign-out: the next person on this browser must not see it). */
export function forgetTyped(): void {
  try {
    browserStorage()?.removeItem(DRAFTS_STORAGE);
    browserStorage()?.removeItem(DRAFTS_OWNER_STORAGE);
    tabStorage()?.removeItem(QUEUED_STORAGE);
  } catch {
    // Blocked storage holds nothing to forget.
  }
}

/** What is typed here belongs to `userId` from now on; another user's drafts are forgotten first. */
export function claimTyped(userId: string): void {
  try {
    const owner = browserStorage()?.getItem(DRAFTS_OWNER_STORAGE);
    // No owner: drafts from before owners were kept stay with whoever signs in next.
    if (owner && owner !== userId) forgetTyped();
    browserStorage()?.setItem(DRAFTS_OWNER_STORAGE, userId);
  } catch {
    // Blocked storage keeps nothing across sign-ins.
  }
}

/** Keeps this tab's queued messages per session (an empty map forgets them). */
export function keepQueued(queued: Record<string, KeptQueued[]>): void {
  try {
    if (Object.keys(queued).length === 0) tabStorage()?.removeItem(QUEUED_STORAGE);
    else tabStorage()?.setItem(QUEUED_STORAGE, JSON.stringify(queued));
  } catch {
    // A full or blocked storage keeps the queue in memory only.
  }
}

/** The queued messages kept before a reload, taken out of storage (once). */
export function takeQueued(): Record<string, KeptQueued[]> {
  try {
    const raw = tabStorage()?.getItem(QUEUED_STORAGE);
    tabStorage()?.removeItem(QUEUED_STORAGE);
    const parsed: unknown = raw ? JSON.parse(raw) : {};
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    const out: Record<string, KeptQueued[]> = {};
    for (const [id, list] of Object.entries(parsed)) {
      if (!Array.isArray(list)) continue;
      const kept = list.filter(
        (m): m is KeptQueued =>
          !!m && typeof m.text === 'string' && Array.isArray(m.files) && m.files.every((f: unknown) => typeof f === 'string'),
      );
      if (kept.length) out[id] = kept;
    }
    return out;
  } catch {
    return {};
  }
}
