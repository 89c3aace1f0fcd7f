// SQL of per-user limits (table `user_limits`) and of usage, read from sessions and turns.
import type Database from 'better-sqlite3';

export interface LimitsRow {
  user_id: string;
  max_sessions: number | null;
  monthly_budget_usd: number | null;
}

export interface UsageRow {
  sessions: number;
  turns: number;
  cost_usd: number;
}

export class LimitsRepository {
  private readonly s;

  constructor(db: Database.Database) {
    this.s = {
      get: db.prepare('SELECT user_id, max_sessions, monthly_budget_usd FROM user_limits WHERE user_id = ?'),
      set: db.prepare(
        `INSERT INTO user_limits (user_id, max_sessions, monthly_budget_usd, updated_at) VALUES (@user_id, @max_sessions, @monthly_budget_usd, @at)
         ON CONFLICT(user_id) DO UPDATE SET max_sessions = excluded.max_sessions,
           monthly_budget_usd = excluded.monthly_budget_usd, updated_at = excluded.updated_at`,
      ),
      cost: db.prepare(
        `SELECT COALESCE(SUM(t.cost_usd), 0) AS cost FROM turns t JOIN sessions s ON s.session_id = t.session_id
         WHERE s.user_id = ? AND t.ended_at >= ?`,
      ),
      turns: db.prepare(
        `SELECT COUNT(*) AS turns, COALESCE(SUM(t.cost_usd), 0) AS cost_usd FROM turns t JOIN sessions s ON s.session_id = t.session_id
         WHERE s.user_id = ? AND t.ended_at >= ?`,
      ),
      sessions: db.prepare('SELECT COUNT(*) AS n FROM sessions WHERE user_id = ? AND created_at >= ?'),
      turnsByDay: db.prepare(
        `SELECT substr(t.ended_at, 1, 10) AS day, COUNT(*) AS turns, COALESCE(SUM(t.cost_usd), 0) AS cost_usd
         FROM turns t JOIN sessions s ON s.session_id = t.session_id
         WHERE s.user_id = ? AND t.ended_at >= ? GROUP BY day`,
      ),
      sessionsByDay: db.prepare(
        'SELECT substr(created_at, 1, 10) AS day, COUNT(*) AS n FROM sessions WHERE user_id = ? AND created_at >= ? GROUP BY day',
      ),
      users: db.prepare('SELECT user_id FROM sessions UNION SELECT user_id FROM user_limits ORDER BY user_id'),
    };
  }

  get(userId: string): LimitsRow | undefined {
    return this.s.get.get(userId) as LimitsRow | undefined;
  }

  set(row: LimitsRow): void {
    this.s.set.run({ ...row, at: new Date().toISOString() });
  }

  /** Cost of the user's turns that ended at or after `since` (ISO). */
  costSince(userId: string, since: string): number {
    return (this.s.cost.get(userId, since) as { cost: number }).cost;
  }

  usageSince(userId: string, since: string): UsageRow {
    const t = this.s.turns.get(userId, since) as { turns: number; cost_usd: number };
    const n = (this.s.sessions.get(userId, since) as { n: number }).n;
    return { sessions: n, turns: t.turns, cost_usd: t.cost_usd };
  }

  usageByDay(userId: string, since: string): (UsageRow & { day: string })[] {
    const days = new Map<string, UsageRow & { day: string }>();
    const day = (d: string) => {
      let r = days.get(d);
      if (!r) days.set(d, (r = { day: d, sessions: 0, turns: 0, cost_usd: 0 }));
      return r;
    };
    for (const r of this.s.sessionsByDay.all(userId, since) as { day: string; n: number }[]) day(r.day).sessions = r.n;
    for (const r of this.s.turnsByDay.all(userId, since) as { day: string; turns: number; cost_usd: number }[])
      Object.assign(day(r.day), { turns: r.turns, cost_usd: r.cost_usd });
    return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
  }

  /** Every user id that has a session or limits. */
  knownUsers(): string[] {
    return (this.s.users.all() as { user_id: string }[]).map((r) => r.user_id);
  }
}
