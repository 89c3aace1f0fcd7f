// SQLite persistence of session metadata, on better-sqlite3 in WAL mode.
// Synchronous by design: each statement is microseconds, and writes happen per turn, never per delta.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SessionPermissionMode, SessionStatus, TurnOutcome } from '../protocol/messages.js';
import { HistoryRepository } from './history-repository.js';
import { migrate } from './migrations.js';

export interface SessionMetadata {
  session_id: string;
  user_id: string;
  status: SessionStatus;
  created_at: string;
  last_active_at: string;
  subprocess_pid: number | null;
  message_count: number;
  total_cost_usd: number;
  is_resumable: boolean;
  terminated_reason: string | null;
  /** Its name; null until the first message (or a rename). */
  title: string | null;
  /** NULL: the server's default model / PERMISSION_MODE. */
  model?: string | null;
  permission_mode?: SessionPermissionMode | null;
  /** The folder its agent works in (table session_workspaces; read, never written through save). */
  working_dir?: string | null;
  /** When it was archived (null: it is not); written only by archive/unarchive, never through save. */
  archived_at?: string | null;
}

interface Row extends Omit<SessionMetadata, 'is_resumable'> {
  is_resumable: number;
}

export interface TurnRecord {
  session_id: string;
  started_at: string;
  ended_at: string;
  outcome: TurnOutcome;
  cost_usd: number;
  turn_count: number;
  /** Tokens in the context after the turn, and the model's window (null: not reported). */
  context_tokens?: number | null;
  context_window?: number | null;
}

/** A session row with its working folder. */
const SESSION_COLUMNS = `sessions.*, (SELECT cwd FROM session_workspaces w WHERE w.session_id = sessions.session_id) AS working_dir`;

const fromRow = (r: Row): SessionMetadata => ({ ...r, is_resumable: r.is_resumable === 1 });

/** Where a page of the session list ends: the last row's order key. */
export interface ListCursor {
  last_active_at: string;
  session_id: string;
}

export class SessionRepository {
  private readonly db: Database.Database;
  private readonly stmts;
  /** The stored conversations, in the same database. */
  readonly history: HistoryRepository;

  constructor(dbPath: string) {
    if (dbPath !== ':memory:') fs.mkdirSync(path.dirname(dbPath), { recursive: true });
    this.db = new Database(dbPath);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.initialize();
    this.stmts = {
      save: this.db.prepare(
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
      get: this.db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE session_id = ?`),
      listActive: this.db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE status != 'terminated' ORDER BY created_at`),
      // The list leaves archived sessions out (search and ?archived=true find them).
      listAll: this.db.prepare(`SELECT ${SESSION_COLUMNS} FROM sessions WHERE archived_at IS NULL ORDER BY last_active_at DESC`),
      listOf: this.db.prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = ? AND archived_at IS NULL ORDER BY last_active_at DESC`,
      ),
      remember: this.db.prepare('INSERT OR REPLACE INTO spawned_processes (pid, start_time, session_id, spawned_at) VALUES (?, ?, ?, ?)'),
      forget: this.db.prepare('DELETE FROM spawned_processes WHERE pid = ? AND start_time = ?'),
      spawned: this.db.prepare('SELECT pid, start_time, session_id FROM spawned_processes'),
      recordTurn: this.db.prepare(
        `INSERT INTO turns (session_id, started_at, ended_at, outcome, cost_usd, turn_count, context_tokens, context_window)
         VALUES (@session_id, @started_at, @ended_at, @outcome, @cost_usd, @turn_count, @context_tokens, @context_window)`,
      ),
      turnsOf: this.db.prepare('SELECT * FROM turns WHERE session_id = ? ORDER BY started_at'),
      turnsBetween: this.db.prepare('SELECT * FROM turns WHERE session_id = ? AND started_at >= ? AND started_at < ? ORDER BY started_at'),
      // Newest first by (last_active_at, session_id): a page ends where the next one starts, whatever changes meanwhile.
      getMany: this.db.prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE session_id IN (SELECT value FROM json_each(@ids))
           AND (@user IS NULL OR user_id = @user)
         ORDER BY last_active_at DESC, session_id DESC LIMIT @limit`,
      ),
      pageAll: this.db.prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE (last_active_at, session_id) < (@at, @id)
           AND (archived_at IS NOT NULL) = @archived
         ORDER BY last_active_at DESC, session_id DESC LIMIT @limit`,
      ),
      pageOf: this.db.prepare(
        `SELECT ${SESSION_COLUMNS} FROM sessions WHERE user_id = @user AND (last_active_at, session_id) < (@at, @id)
           AND (archived_at IS NOT NULL) = @archived
         ORDER BY last_active_at DESC, session_id DESC LIMIT @limit`,
      ),
    };
    this.history = new HistoryRepository(this.db);
  }

  /** The one connection, shared by the other repositories of this database (users, tokens). */
  get database(): Database.Database {
    return this.db;
  }

  /** Creates or migrates the schema. Idempotent. */
  initialize(): void {
    migrate(this.db);
  }

  save(m: SessionMetadata): void {
    if (!this.db.open) return;
    this.stmts.save.run({ ...m, model: m.model ?? null, permission_mode: m.permission_mode ?? null, is_resumable: m.is_resumable ? 1 : 0 });
  }

  get(sessionId: string): SessionMetadata | undefined {
    const r = this.stmts.get.get(sessionId) as Row | undefined;
    return r ? fromRow(r) : undefined;
  }

  listActive(): SessionMetadata[] {
    return (this.stmts.listActive.all() as Row[]).map(fromRow);
  }

  /** Newest first; one user's only with `userId`. */
  listAll(userId?: string): SessionMetadata[] {
    const rows = userId === undefined ? this.stmts.listAll.all() : this.stmts.listOf.all(userId);
    return (rows as Row[]).map(fromRow);
  }

  /** Up to `limit` sessions after `cursor` (from the newest without one); one user's only with `userId`. */
  listPage(opts: { limit: number; cursor?: ListCursor; userId?: string; archived?: boolean }): SessionMetadata[] {
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

  /** These sessions (those of `userId` only, when given), newest first, at most `limit`. */
  listOf(ids: string[], opts: { limit: number; userId?: string }): SessionMetadata[] {
    const rows = this.stmts.getMany.all({ ids: JSON.stringify(ids), user: opts.userId ?? null, limit: opts.limit });
    return (rows as Row[]).map(fromRow);
  }

  rememberProcess(pid: number, startTime: string, sessionId: string | null): void {
    if (!this.db.open) return;
    this.stmts.remember.run(pid, startTime, sessionId, new Date().toISOString());
  }

  forgetProcess(pid: number, startTime: string): void {
    // A child may exit after shutdown closed the database; its record then stays for the next start to check.
    if (!this.db.open) return;
    this.stmts.forget.run(pid, startTime);
  }

  spawnedProcesses(): { pid: number; start_time: string; session_id: string | null }[] {
    return this.stmts.spawned.all() as { pid: number; start_time: string; session_id: string | null }[];
  }

  recordTurn(t: TurnRecord): void {
    if (!this.db.open) return;
    this.stmts.recordTurn.run({ ...t, context_tokens: t.context_tokens ?? null, context_window: t.context_window ?? null });
  }

  turnsOf(sessionId: string): TurnRecord[] {
    return this.stmts.turnsOf.all(sessionId) as TurnRecord[];
  }

  /** Turns that started in [fromIso, toIso). */
  turnsBetween(sessionId: string, fromIso: string, toIso: string): TurnRecord[] {
    return this.stmts.turnsBetween.all(sessionId, fromIso, toIso) as TurnRecord[];
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
