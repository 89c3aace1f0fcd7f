// What the page starts with: the key and the session to resume, read from the address once.
import { KEY_STORAGE, tabStorage } from './storage';

export interface BootParams {
  /** The key from the link, if it had one (already kept in tab storage). */
  token: string | null;
  /** Session to open and resume (from /chat?resume=ID). */
  resume: string | null;
}

/**
 * Reads the key from the link the server prints (`#token=`: a fragment never reaches the
 * server nor a Referer; `?token=` of older links still works) and `?resume=`, once, and
 * takes them out of the address bar at once so the key stays out of history.
 */
export function readBootParams(loc: Location = window.location, history: History = window.history): BootParams {
  const url = new URL(loc.href);
  const fragment = new URLSearchParams(url.hash.slice(1));
  const token = fragment.get('token') ?? url.searchParams.get('token');
  const resume = url.searchParams.get('resume');
  if (token) {
    try {
      tabStorage()?.setItem(KEY_STORAGE, token);
    } catch {
      /* storage full or blocked: the key cannot be kept */
    }
  }
  if (!fragment.has('token') && !url.searchParams.has('token') && resume === null) return { token, resume };
  url.searchParams.delete('token');
  url.searchParams.delete('resume');
  let hash = url.hash;
  if (fragment.has('token')) {
    fragment.delete('token');
    hash = fragment.size > 0 ? `#${fragment}` : '';
  }
  history.replaceState(history.state, '', `${url.pathname}${url.search}${hash}`);
  return { token, resume };
}
