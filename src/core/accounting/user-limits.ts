// Per-user limits and usage: live sessions at once and a monthly cost budget (calendar
// month, UTC, from the turns' cost_usd). The session manager asks before a create and
// before every turn; admins change limits (audited); usage is read from the same rows.
import type { LimitsRepository } from '../../db/ports.js';
import type { UsageResponse, UserLimits, UserLimitsResponse, UserUsage } from '../../protocol/accounting.js';
import { PlatformError } from '../../protocol/errors.js';
import type { AuditLog } from './audit-log.js';

const NO_LIMITS: UserLimits = { max_sessions: null, monthly_budget_usd: null };

/** The month `now` is in (UTC): its first instant, and the day the next one starts. */
export function monthOf(now: Date): { month: string; start: string; resetsOn: string } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const start = new Date(Date.UTC(y, m, 1));
  const next = new Date(Date.UTC(y, m + 1, 1));
  return { month: start.toISOString().slice(0, 7), start: start.toISOString(), resetsOn: next.toISOString().slice(0, 10) };
}

/** Dollars with cents; more digits only for a budget below a cent that cents would hide. */
export function usd(n: number): string {
  const cents = n.toFixed(2);
  return Math.abs(Number(cents) - n) < 1e-9 || n >= 0.01 ? `$${cents}` : `$${Number(n.toPrecision(2))}`;
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/**
 * Fair share of MAX_SESSIONS: once other users exist, a user with no limit of their own holds at
 * most `perUser` live sessions, so one user cannot take every slot; alone, the built-in admin keeps all.
 */
export interface FairShare {
  perUser: number;
  shared: () => Promise<boolean>;
}

/** Throws session_limit_reached when the user already has `live` open sessions and `max` is the limit (null: none). */
export function checkSessionLimit(max: number | null, live: number): void {
  if (max !== null && live >= max) throw new PlatformError('session_limit_reached', undefined, { max });
}

/** A user's open sessions (`live`, what the limit counts): those with a process and those asleep. */
export interface SessionCounts {
  user_id: string;
  live: number;
  processes: number;
  sleeping: number;
}

export class UserLimitsService {
  constructor(
    private readonly repo: LimitsRepository,
    private readonly audit: AuditLog,
    private readonly fairShare: FairShare | null = null,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async limits(userId: string): Promise<UserLimits> {
    const r = await this.repo.get(userId);
    return r ? { max_sessions: r.max_sessions, monthly_budget_usd: r.monthly_budget_usd } : NO_LIMITS;
  }

  /** Sets a user's limits (null: none) and records who did it. */
  async set(actorUserId: string, userId: string, limits: UserLimits): Promise<UserLimitsResponse> {
    await this.repo.set({ user_id: userId, ...limits });
    this.audit.record({ actor_user_id: actorUserId, action: 'limits.changed', target_user_id: userId, detail: { ...limits } });
    return { user_id: userId, ...limits };
  }

  /** Throws budget_exceeded when the user's spend this month has reached the budget. */
  async checkTurn(userId: string): Promise<void> {
    const budget = (await this.limits(userId)).monthly_budget_usd;
    if (budget === null) return;
    const m = monthOf(this.now());
    const spent = await this.repo.costSince(userId, m.start);
    if (spent >= budget)
      throw new PlatformError('budget_exceeded', undefined, { budget: usd(budget), spent: usd(spent), resets_on: m.resetsOn });
  }

  /**
   * The most open sessions the user may have (null: no limit): their own limit, else the fair share once
   * other users exist. The caller counts and checks in one step after it (checkSessionLimit), so two
   * creates at once cannot both take the last place.
   */
  async sessionLimit(userId: string): Promise<number | null> {
    const own = (await this.limits(userId)).max_sessions;
    if (own !== null) return own;
    return this.fairShare && (await this.fairShare.shared()) ? this.fairShare.perUser : null;
  }

  async usage(users: SessionCounts[]): Promise<UsageResponse> {
    const m = monthOf(this.now());
    const figures = <T extends { cost_usd: number }>(r: T): T => ({ ...r, cost_usd: round(r.cost_usd) });
    const one = async ({ user_id, live, processes, sleeping }: SessionCounts): Promise<UserUsage> => ({
      user_id,
      live_sessions: live,
      live_processes: processes,
      sleeping_sessions: sleeping,
      limits: await this.limits(user_id),
      month: figures(await this.repo.usageSince(user_id, m.start)),
      total: figures(await this.repo.usageSince(user_id, '')),
      by_day: (await this.repo.usageByDay(user_id, m.start)).map(figures),
    });
    return { month: m.month, resets_on: m.resetsOn, users: await Promise.all(users.map(one)) };
  }

  /** Users with a session or limits (the usage page lists them when there is no user table to ask). */
  knownUsers(): Promise<string[]> {
    return this.repo.knownUsers();
  }
}
