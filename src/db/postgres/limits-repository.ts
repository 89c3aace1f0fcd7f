// Per-user limits and usage on PostgreSQL (ports.ts, LimitsRepository): usage is read from sessions and turns.
import type { LimitsRepository, LimitsRow, UsageRow } from '../ports.js';
import type { PgDatabase } from './connection.js';

export class PgLimitsRepository implements LimitsRepository {
  constructor(private readonly db: PgDatabase) {}

  private get sql() {
    return this.db.sql;
  }

  async get(userId: string): Promise<LimitsRow | undefined> {
    const [r] = await this.sql<LimitsRow[]>`SELECT user_id, max_sessions, monthly_budget_usd FROM user_limits WHERE user_id = ${userId}`;
    return r ? { user_id: r.user_id, max_sessions: r.max_sessions, monthly_budget_usd: r.monthly_budget_usd } : undefined;
  }

  async set(row: LimitsRow): Promise<void> {
    await this.db.write(undefined, async (sql) => {
      await sql`INSERT INTO user_limits (user_id, max_sessions, monthly_budget_usd, updated_at)
                VALUES (${row.user_id}, ${row.max_sessions}, ${row.monthly_budget_usd}, ${new Date().toISOString()})
                ON CONFLICT (user_id) DO UPDATE SET max_sessions = excluded.max_sessions,
                  monthly_budget_usd = excluded.monthly_budget_usd, updated_at = excluded.updated_at`;
    });
  }

  async costSince(userId: string, since: string): Promise<number> {
    const [r] = await this.sql<{ cost: number }[]>`
      SELECT COALESCE(SUM(t.cost_usd), 0) AS cost FROM turns t JOIN sessions s ON s.session_id = t.session_id
      WHERE s.user_id = ${userId} AND t.ended_at >= ${since}`;
    return r?.cost ?? 0;
  }

  async usageSince(userId: string, since: string): Promise<UsageRow> {
    const [t] = await this.sql<{ turns: number; cost_usd: number }[]>`
      SELECT COUNT(*) AS turns, COALESCE(SUM(t.cost_usd), 0) AS cost_usd FROM turns t JOIN sessions s ON s.session_id = t.session_id
      WHERE s.user_id = ${userId} AND t.ended_at >= ${since}`;
    const [n] = await this.sql<{ n: number }[]>`SELECT COUNT(*) AS n FROM sessions WHERE user_id = ${userId} AND created_at >= ${since}`;
    return { sessions: n?.n ?? 0, turns: t?.turns ?? 0, cost_usd: t?.cost_usd ?? 0 };
  }

  async usageByDay(userId: string, since: string): Promise<(UsageRow & { day: string })[]> {
    const days = new Map<string, UsageRow & { day: string }>();
    const day = (d: string) => {
      let r = days.get(d);
      if (!r) days.set(d, (r = { day: d, sessions: 0, turns: 0, cost_usd: 0 }));
      return r;
    };
    const sessions = await this.sql<{ day: string; n: number }[]>`
      SELECT substr(created_at, 1, 10) AS day, COUNT(*) AS n FROM sessions WHERE user_id = ${userId} AND created_at >= ${since} GROUP BY day`;
    for (const r of sessions) day(r.day).sessions = r.n;
    const turns = await this.sql<{ day: string; turns: number; cost_usd: number }[]>`
      SELECT substr(t.ended_at, 1, 10) AS day, COUNT(*) AS turns, COALESCE(SUM(t.cost_usd), 0) AS cost_usd
      FROM turns t JOIN sessions s ON s.session_id = t.session_id
      WHERE s.user_id = ${userId} AND t.ended_at >= ${since} GROUP BY day`;
    for (const r of turns) Object.assign(day(r.day), { turns: r.turns, cost_usd: r.cost_usd });
    return [...days.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
  }

  async knownUsers(): Promise<string[]> {
    const r = await this.sql<{ user_id: string }[]>`SELECT user_id FROM sessions UNION SELECT user_id FROM user_limits ORDER BY user_id`;
    return r.map((x) => x.user_id);
  }
}
