// Session rows, the pids we spawned and turn outcomes on PostgreSQL (ports.ts, SessionRepository).
import type { ListCursor, SessionMetadata, SessionRepository, SpawnedProcess, TurnRecord } from '../ports.js';
import { type PgDatabase, query } from './connection.js';
import { fenceCondition } from './fence-sql.js';
import { tsvectorLiteral } from './search-tokens.js';

/** A session row with its working folder (title_search is the index's, never read). */
const COLUMNS = `s.session_id, s.user_id, s.status, s.created_at, s.last_active_at, s.subprocess_pid, s.message_count,
  s.total_cost_usd, s.is_resumable, s.terminated_reason, s.title, s.model, s.permission_mode, s.archived_at,
  (SELECT cwd FROM session_workspaces w WHERE w.session_id = s.session_id) AS working_dir`;
const TURN_COLUMNS = 'session_id, started_at, ended_at, outcome, cost_usd, turn_count, context_tokens, context_window';

/** Plain arrays (the driver's result is an Array subclass). */
const rows = (r: readonly unknown[]) => [...r] as SessionMetadata[];

export class PgSessionRepository implements SessionRepository {
  constructor(private readonly db: PgDatabase) {}

  private get sql() {
    return this.db.sql;
  }

  async save(m: SessionMetadata): Promise<void> {
    await this.db.write(undefined, async (sql) => {
      const titleSearch = m.title ? tsvectorLiteral(m.title) : null;
      await sql`
        INSERT INTO sessions (session_id, user_id, status, created_at, last_active_at, subprocess_pid, message_count,
          total_cost_usd, is_resumable, terminated_reason, title, model, permission_mode, title_search)
        VALUES (${m.session_id}, ${m.user_id}, ${m.status}, ${m.created_at}, ${m.last_active_at}, ${m.subprocess_pid},
          ${m.message_count}, ${m.total_cost_usd}, ${m.is_resumable}, ${m.terminated_reason}, ${m.title},
          ${m.model ?? null}, ${m.permission_mode ?? null}, ${titleSearch}::tsvector)
        ON CONFLICT (session_id) DO UPDATE SET status = excluded.status, last_active_at = excluded.last_active_at,
          subprocess_pid = excluded.subprocess_pid, message_count = excluded.message_count,
          total_cost_usd = excluded.total_cost_usd, is_resumable = excluded.is_resumable,
          terminated_reason = excluded.terminated_reason, title = excluded.title, model = excluded.model,
          permission_mode = excluded.permission_mode, title_search = excluded.title_search
        WHERE ${fenceCondition(sql, m.session_id, this.db.fence)}`;
    });
  }

  async get(sessionId: string): Promise<SessionMetadata | undefined> {
    const r = await this.sql.unsafe(`SELECT ${COLUMNS} FROM sessions s WHERE s.session_id = $1`, [sessionId]);
    return rows(r)[0];
  }

  async listActive(): Promise<SessionMetadata[]> {
    return rows(
      await this.sql.unsafe(`SELECT ${COLUMNS} FROM sessions s WHERE s.status != 'terminated' ORDER BY s.created_at, s.session_id`),
    );
  }

  async listAll(userId?: string): Promise<SessionMetadata[]> {
    const r =
      userId === undefined
        ? await this.sql.unsafe(
            `SELECT ${COLUMNS} FROM sessions s WHERE s.archived_at IS NULL ORDER BY s.last_active_at DESC, s.session_id DESC`,
          )
        : await this.sql.unsafe(
            `SELECT ${COLUMNS} FROM sessions s WHERE s.user_id = $1 AND s.archived_at IS NULL ORDER BY s.last_active_at DESC, s.session_id DESC`,
            [userId],
          );
    return rows(r);
  }

  async listPage(opts: { limit: number; cursor?: ListCursor; userId?: string; archived?: boolean }): Promise<SessionMetadata[]> {
    // '~' sorts after every ISO time and UUID (the columns compare bytes): no cursor starts at the newest.
    const at = opts.cursor?.last_active_at ?? '~';
    const id = opts.cursor?.session_id ?? '~';
    const r = await this.sql.unsafe(
      `SELECT ${COLUMNS} FROM sessions s
       WHERE ($1::text IS NULL OR s.user_id = $1) AND (s.last_active_at, s.session_id) < ($2, $3)
         AND (s.archived_at IS NOT NULL) = $4
       ORDER BY s.last_active_at DESC, s.session_id DESC LIMIT $5`,
      [opts.userId ?? null, at, id, opts.archived === true, opts.limit],
    );
    return rows(r);
  }

  async listOf(ids: string[], opts: { limit: number; userId?: string }): Promise<SessionMetadata[]> {
    if (ids.length === 0) return [];
    const r = await this.sql.unsafe(
      `SELECT ${COLUMNS} FROM sessions s WHERE s.session_id = ANY($1::text[]) AND ($2::text IS NULL OR s.user_id = $2)
       ORDER BY s.last_active_at DESC, s.session_id DESC LIMIT $3`,
      [ids, opts.userId ?? null, opts.limit] as never,
    );
    return rows(r);
  }

  async rememberProcess(pid: number, startTime: string, sessionId: string | null, replicaId?: string): Promise<void> {
    await this.db.write(undefined, async (sql) => {
      await sql`INSERT INTO spawned_processes (pid, start_time, session_id, spawned_at, replica_id)
                VALUES (${pid}, ${startTime}, ${sessionId}, ${new Date().toISOString()}, ${replicaId ?? null})
                ON CONFLICT (pid, start_time) DO UPDATE SET session_id = excluded.session_id, spawned_at = excluded.spawned_at,
                  replica_id = excluded.replica_id`;
    });
  }

  async forgetProcess(pid: number, startTime: string): Promise<void> {
    await this.db.write(undefined, async (sql) => {
      await sql`DELETE FROM spawned_processes WHERE pid = ${pid} AND start_time = ${startTime}`;
    });
  }

  async spawnedProcesses(replicaId?: string): Promise<SpawnedProcess[]> {
    const mine = replicaId === undefined ? this.sql`` : this.sql`WHERE replica_id = ${replicaId} OR replica_id IS NULL`;
    return [...(await this.sql<SpawnedProcess[]>`SELECT pid, start_time, session_id FROM spawned_processes ${mine}`)];
  }

  async recordTurn(t: TurnRecord): Promise<void> {
    await this.db.write(undefined, async (sql) => {
      await sql`INSERT INTO turns (session_id, started_at, ended_at, outcome, cost_usd, turn_count, context_tokens, context_window)
                SELECT ${t.session_id}, ${t.started_at}, ${t.ended_at}, ${t.outcome}, ${t.cost_usd}, ${t.turn_count},
                  ${t.context_tokens ?? null}, ${t.context_window ?? null}
                WHERE ${fenceCondition(sql, t.session_id, this.db.fence)}`;
    });
  }

  async turnsOf(sessionId: string): Promise<TurnRecord[]> {
    return query<TurnRecord>(this.sql, `SELECT ${TURN_COLUMNS} FROM turns WHERE session_id = $1 ORDER BY started_at, id`, [sessionId]);
  }

  async turnsBetween(sessionId: string, fromIso: string, toIso: string): Promise<TurnRecord[]> {
    return query<TurnRecord>(
      this.sql,
      `SELECT ${TURN_COLUMNS} FROM turns WHERE session_id = $1 AND started_at >= $2 AND started_at < $3 ORDER BY started_at, id`,
      [sessionId, fromIso, toIso],
    );
  }
}
