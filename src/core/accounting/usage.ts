// Who may see whose usage: a member their own (asking for anyone else's is
// forbidden), an admin everyone's or one user's.
import type { UsageResponse } from '../../protocol/accounting.js';
import { PlatformError } from '../../protocol/errors.js';
import { isAdmin, type Principal } from '../identity/principal.js';
import type { UserLimitsService } from './user-limits.js';

export interface UsageDeps {
  limits: Pick<UserLimitsService, 'usage'>;
  userExists(userId: string): boolean;
  /** Every user id the caller may see. */
  userIds(caller: Principal): string[];
  /** The user's open sessions (what their session limit counts). */
  openSessionsOf(userId: string): number;
}

export function usageFor(p: Principal, asked: string | undefined, d: UsageDeps): UsageResponse {
  if (!isAdmin(p) && asked !== undefined && asked !== p.user_id) throw new PlatformError('forbidden');
  if (asked !== undefined && !d.userExists(asked)) throw new PlatformError('user_not_found');
  const ids = !isAdmin(p) ? [p.user_id] : asked !== undefined ? [asked] : d.userIds(p);
  return d.limits.usage(ids.map((user_id) => ({ user_id, live: d.openSessionsOf(user_id) })));
}
