// Who may see whose usage: a member their own (asking for anyone else's is
// forbidden), an admin everyone's or one user's. Open sessions are counted apart:
// those with a process (they hold memory and a slot) and those asleep (no process).
import type { UsageResponse } from '../../protocol/accounting.js';
import { PlatformError } from '../../protocol/errors.js';
import { isAdmin, type Principal } from '../identity/principal.js';
import type { SessionCounts, UserLimitsService } from './user-limits.js';

/** What usage needs to know of one open session. */
export interface OpenSessionView {
  readonly state: string;
  readonly hasLiveProcess: boolean;
}

export interface UsageDeps {
  limits: Pick<UserLimitsService, 'usage'>;
  userExists(userId: string): Promise<boolean>;
  /** Every user id the caller may see. */
  userIds(caller: Principal): Promise<string[]>;
  /** The user's open sessions (what their session limit counts). */
  openSessionsOf(userId: string): number;
  /** The user's open sessions held in memory (not terminated). */
  sessionsOf?(userId: string): readonly OpenSessionView[];
}

/** States in which a process is up or on its way (starting, resuming, being replaced). */
const PROCESS_STATES = new Set(['creating', 'resuming', 'restarting']);

/** Live processes and sleeping sessions of a user; sessions being created count as live. */
export function sessionCounts(user_id: string, d: Pick<UsageDeps, 'openSessionsOf' | 'sessionsOf'>): SessionCounts {
  const live = d.openSessionsOf(user_id);
  const open = (d.sessionsOf?.(user_id) ?? []).filter((s) => s.state !== 'terminated');
  const sleeping = open.filter((s) => !s.hasLiveProcess && !PROCESS_STATES.has(s.state)).length;
  return { user_id, live, processes: Math.max(0, live - sleeping), sleeping };
}

export async function usageFor(p: Principal, asked: string | undefined, d: UsageDeps): Promise<UsageResponse> {
  if (!isAdmin(p) && asked !== undefined && asked !== p.user_id) throw new PlatformError('forbidden');
  if (asked !== undefined && !(await d.userExists(asked))) throw new PlatformError('user_not_found');
  const ids = !isAdmin(p) ? [p.user_id] : asked !== undefined ? [asked] : await d.userIds(p);
  return d.limits.usage(ids.map((user_id) => sessionCounts(user_id, d)));
}
