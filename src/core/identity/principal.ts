// Who is calling: what every session operation and every user/token operation takes.
// Transports resolve a credential to a Principal (src/api/authenticate.ts) and pass it in;
// core decides with it. Browser-safe.
import { PlatformError } from '../../protocol/errors.js';
import type { AuthVia, Role } from '../../protocol/messages.js';

export interface Principal {
  user_id: string;
  name: string;
  role: Role;
  via: AuthVia;
  /** The personal token it came with (its sockets close when it is revoked). */
  token_id?: string;
  /** The browser sign-in it came with (its sockets close at sign-out), and when that sign-in ends (so do they). */
  web_session_id?: string;
  expires_at?: string;
}

export const isAdmin = (p: Principal): boolean => p.role === 'admin';

/** Throws `forbidden` (403) unless the caller is an admin. */
export function requireAdmin(p: Principal): void {
  if (!isAdmin(p)) throw new PlatformError('forbidden');
}

/** The bootstrap admin: the user of CLAUDE_SDK_PATTERN_API_KEY, owner of every session made before users existed. */
export const BOOTSTRAP_USER_ID = 'default';
