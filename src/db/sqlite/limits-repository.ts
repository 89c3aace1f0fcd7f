// SQL of per-user limits (table `user_limits`) and of usage, read from sessions and turns.
import type Database from 'better-sqlite3';
import type { LimitsRepository, LimitsRow, UsageRow } from '../ports.js';

export class SqliteLimitsRepository implements LimitsRepository {
  private readonly s;

  constructor(private readonly db: Database.Database) {
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

  async get(userId: string): Promise<LimitsRow | undefined> {
    return this.s.get.get(userId) as LimitsRow | undefined;
  }

  async set(row: LimitsRow): Promise<void> {
    if (!this.db.open) return;
    this.s.set.run({
      user_id: row.user_id,
      max_sessions: row.max_sessions,
      monthly_budget_usd: row.monthly_budget_usd,
      at: new Date().toISOString(),
    });
  }

  /** Cost of the user's turns that ended at or after `since` (ISO). */
  async costSince(userId: string, since: string): Promise<number> {
    return (this.s.cost.get(userId, since) as { cost: number }).cost;
  }

  async usageSince(userId: string, since: string): Promise<UsageRow> {
    const t = this.s.turns.get(userId, since) as { turns: number; cost_usd: number };
    const n = (this.s.sessions.get(userId, since) as { n: number }).n;
    return { sessions: n, turns: t.turns, cost_usd: t.cost_usd };
  }

  async usageByDay(userId: string, since: string): Promise<(UsageRow & { day: string })[]> {
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
  async knownUsers(): Promise<string[]> {
    return (this.s.users.all() as { user_id: string }[]).map((r) => r.user_id);
  }
}
