// SQLite rows of session metadata, turn outcomes and the processes we spawned (better-sqlite3, WAL).
// Each statement is microseconds and synchronous; the methods are async only to fit the engine-neutral
// contract (db/ports.ts), so a caller's await costs a microtask here.
import type Database from 'better-sqlite3';
import type { ListCursor, SessionMetadata, SessionRepository, SpawnedProcess, TurnRecord } from '../ports.js';

interface Row extends Omit<SessionMetadata, 'is_resumable'> {
  is_resumable: number;
}

/** A session row with its working folder. */
const SESSION_COLUMNS = `sessions.*, (SELECT cwd FROM session_workspaces w WHERE w.session_id = sessions.session_id) AS working_dir`;

const fromRow = (r: Row): SessionMetadata => ({ ...r, is_resumable: r.is_resumable === 1 });

export class SqliteSessionRepository implements SessionRepository {
  private readonly stmts;

  constructor(private readonly db: Database.Database) {
    this.stmts = {
      save: db.prepare(
        `INSERT INTO sessions (session_id, user_id, status, created_at, last_active_at, subprocess_pid,
           message_count, total_cost_usd, is_resumable, terminated_reason, title, model, permission_mode)
         VALUES (@session_id, @user_id, @status, @created_at, @last_active_at, @subprocess_pid,
           @message_count, @total_cost_usd, @is_resumable, @terminated_reason, @title, @model, @permission_mode)
         ON CONFLICT(session_id) DO UPDATE SET status=excluded.status, last_active_at=excluded.last_active_at,
           subprocess_pid=excluded.subprocess_pid, message_count=excluded.message_count,
           total_cost_usd=excluded.total_cost_usd, is_resumable=excluded.is_resumable,
           terminated_reason=excluded.terminated_reason, title=excluded.title, model=excluded.model,
           permission_mode=excluded.permission_mode`,
      ),
      get: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE session_id = ?`),
      listActive: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE status != 'terminated' ORDER BY created_at`),
      // The list leaves archived sessions out (search and ?archived=true find them).
      listAll: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE archived_at IS NULL ORDER BY last_active_at DESC`),
      listOf: db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = ? AND archived_at IS NULL ORDER BY last_active_at DESC`),
      remember: db.prepare(
        'INSERT OR REPLACE INTO spawned_processes (pid, start_time, session_id, spawned_at, replica_id) VALUES (?, ?, ?, ?, ?)',
      ),
      forget: db.prepare('DELETE FROM spawned_processes WHERE pid = ? AND start_time = ?'),
      spawned: db.prepare('SELECT pid, start_time, session_id FROM spawned_processes'),
      spawnedBy: db.prepare('SELECT pid, start_time, session_id FROM spawned_processes WHERE replica_id = ? OR replica_id IS NULL'),
      recordTurn: db.prepare(
        `INSERT INTO turns (session_id, started_at, ended_at, outcome, cost_usd, turn_count, context_tokens, context_window)
         VALUES (@session_id, @started_at, @ended_at, @outcome, @cost_usd, @turn_count, @context_tokens, @context_window)`,
      ),
      turnsOf: db.prepare('SELECT * FROM turns WHERE session_id = ? ORDER BY started_at'),
      turnsBetween: db.prepare('SELECT * FROM turns WHERE session_id = ? AND started_at >= ? AND started_at < ? ORDER BY started_at'),
      // Newest first by (last_active_at, session_id): a page ends where the next one starts, whatever changes meanwhile.
      getMany: db.prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE session_id IN (SELECT value FROM json_each(@ids))
           AND (@user IS NULL OR user_id = @user)
         ORDER BY last_active_at DESC, session_id DESC LIMIT @limit`,
      ),
      pageAll: db.prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE (last_active_at, session_id) < (@at, @id)
           AND (archived_at IS NOT NULL) = @archived
         ORDER BY last_active_at DESC, session_id DESC LIMIT @limit`,
      ),
      pageOf: db.prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = @user AND (last_active_at, session_id) < (@at, @id)
           AND (archived_at IS NOT NULL) = @archived
         ORDER BY last_active_at DESC, session_id DESC LIMIT @limit`,
      ),
    };
  }

  async save(m: SessionMetadata): Promise<void> {
    if (!this.db.open) return;
    this.stmts.save.run({
      session_id: m.session_id,
      user_id: m.user_id,
      status: m.status,
      created_at: m.created_at,
      last_active_at: m.last_active_at,
      subprocess_pid: m.subprocess_pid,
      message_count: m.message_count,
      total_cost_usd: m.total_cost_usd,
      is_resumable: m.is_resumable ? 1 : 0,
      terminated_reason: m.terminated_reason,
      title: m.title,
      model: m.model ?? null,
      permission_mode: m.permission_mode ?? null,
    });
  }

  async get(sessionId: string): Promise<SessionMetadata | undefined> {
    const r = this.stmts.get.get(sessionId) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  async listActive(): Promise<SessionMetadata[]> {
    return (this.stmts.listActive.all() as Row[]).map(fromRow);
  }

  async listAll(userId?: string): Promise<SessionMetadata[]> {
    const rows = userId === undefined ? this.stmts.listAll.all() : this.stmts.listOf.all(userId);
    return (rows as Row[]).map(fromRow);
  }

  async listPage(opts: { limit: number; cursor?: ListCursor; userId?: string; archived?: boolean }): Promise<SessionMetadata[]> {
    // '~' sorts after every ISO time and UUID: no cursor starts at the newest.
    const at = opts.cursor?.last_active_at ?? '~';
    const id = opts.cursor?.session_id ?? '~';
    const archived = opts.archived ? 1 : 0;
    const rows =
      opts.userId === undefined
        ? this.stmts.pageAll.all({ at, id, archived, limit: opts.limit })
        : this.stmts.pageOf.all({ user: opts.userId, at, id, archived, limit: opts.limit });
    return (rows as Row[]).map(fromRow);
  }

  async listOf(ids: string[], opts: { limit: number; userId?: string }): Promise<SessionMetadata[]> {
    const rows = this.stmts.getMany.all({ ids: JSON.stringify(ids), user: opts.userId ?? null, limit: opts.limit });
    return (rows as Row[]).map(fromRow);
  }

  async rememberProcess(pid: number, startTime: string, sessionId: string | null, replicaId?: string): Promise<void> {
    if (!this.db.open) return;
    this.stmts.remember.run(pid, startTime, sessionId, new Date().toISOString(), replicaId ?? null);
  }

  async forgetProcess(pid: number, startTime: string): Promise<void> {
    // A child may exit after shutdown closed the database; its record then stays for the next start to check.
    if (!this.db.open) return;
    this.stmts.forget.run(pid, startTime);
  }

  async spawnedProcesses(replicaId?: string): Promise<SpawnedProcess[]> {
    return (replicaId === undefined ? this.stmts.spawned.all() : this.stmts.spawnedBy.all(replicaId)) as SpawnedProcess[];
  }

  async recordTurn(t: TurnRecord): Promise<void> {
    if (!this.db.open) return;
    this.stmts.recordTurn.run({
      session_id: t.session_id,
      started_at: t.started_at,
      ended_at: t.ended_at,
      outcome: t.outcome,
      cost_usd: t.cost_usd,
      turn_count: t.turn_count,
      context_tokens: t.context_tokens ?? null,
      context_window: t.context_window ?? null,
    });
  }

  async turnsOf(sessionId: string): Promise<TurnRecord[]> {
    return this.stmts.turnsOf.all(sessionId) as TurnRecord[];
  }

  async turnsBetween(sessionId: string, fromIso: string, toIso: string): Promise<TurnRecord[]> {
    return this.stmts.turnsBetween.all(sessionId, fromIso, toIso) as TurnRecord[];
  }
}
