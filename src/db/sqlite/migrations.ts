// Versioned schema migrations (PRAGMA user_version). Append only: never edit a shipped step.
import type Database from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  // 1: session metadata
  `CREATE TABLE sessions (
     session_id        TEXT PRIMARY KEY,
     user_id           TEXT NOT NULL DEFAULT 'default',
     status            TEXT NOT NULL DEFAULT 'creating'
                       CHECK (status IN ('creating','active','idle','terminated')),
     created_at        TEXT NOT NULL,
     last_active_at    TEXT NOT NULL,
     subprocess_pid    INTEGER,
     message_count     INTEGER NOT NULL DEFAULT 0,
     total_cost_usd    REAL NOT NULL DEFAULT 0.0,
     is_resumable      INTEGER NOT NULL DEFAULT 1,
     terminated_reason TEXT
   );
   CREATE INDEX sessions_status ON sessions(status);`,
  // 2: every CLI process we spawn, so a restarted server can find orphans of a crashed one
  `CREATE TABLE spawned_processes (
     pid         INTEGER NOT NULL,
     start_time  TEXT NOT NULL,
     session_id  TEXT,
     spawned_at  TEXT NOT NULL,
     PRIMARY KEY (pid, start_time)
   );`,
  // 3: the outcome of each turn (cost, turns), shown again when a conversation is reloaded
  `CREATE TABLE turns (
     session_id  TEXT NOT NULL,
     started_at  TEXT NOT NULL,
     ended_at    TEXT NOT NULL,
     outcome     TEXT NOT NULL CHECK (outcome IN ('complete','interrupted','error')),
     cost_usd    REAL NOT NULL DEFAULT 0,
     turn_count  INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX turns_session ON turns(session_id, started_at);`,
  // 4: status 'dormant' (process released to make room; resumes on the next message). SQLite cannot alter a CHECK.
  `CREATE TABLE sessions_v4 (
     session_id        TEXT PRIMARY KEY,
     user_id           TEXT NOT NULL DEFAULT 'default',
     status            TEXT NOT NULL DEFAULT 'creating'
                       CHECK (status IN ('creating','active','idle','dormant','terminated')),
     created_at        TEXT NOT NULL,
     last_active_at    TEXT NOT NULL,
     subprocess_pid    INTEGER,
     message_count     INTEGER NOT NULL DEFAULT 0,
     total_cost_usd    REAL NOT NULL DEFAULT 0.0,
     is_resumable      INTEGER NOT NULL DEFAULT 1,
     terminated_reason TEXT
   );
   INSERT INTO sessions_v4 SELECT session_id, user_id, status, created_at, last_active_at, subprocess_pid,
     message_count, total_cost_usd, is_resumable, terminated_reason FROM sessions;
   DROP TABLE sessions;
   ALTER TABLE sessions_v4 RENAME TO sessions;
   CREATE INDEX sessions_status ON sessions(status);`,
  // 5: browser sign-ins (cookie sessions); only the SHA-256 of the cookie value is kept
  `CREATE TABLE web_sessions (
     token_hash  TEXT PRIMARY KEY,
     user_id     TEXT NOT NULL,
     via         TEXT NOT NULL,
     created_at  TEXT NOT NULL,
     expires_at  TEXT NOT NULL
   );
   CREATE INDEX web_sessions_user ON web_sessions(user_id);
   CREATE INDEX web_sessions_expiry ON web_sessions(expires_at);`,
  // 6: a session's name (PATCH, or the start of its first message)
  `ALTER TABLE sessions ADD COLUMN title TEXT;`,
  // 7: the audit log, append-only: triggers abort any UPDATE or DELETE, whoever issues it
  `CREATE TABLE audit_log (
     id             INTEGER PRIMARY KEY AUTOINCREMENT,
     at             TEXT NOT NULL,
     actor_user_id  TEXT NOT NULL,
     action         TEXT NOT NULL,
     target_user_id TEXT,
     session_id     TEXT,
     detail         TEXT NOT NULL DEFAULT '{}'
   );
   CREATE INDEX audit_log_at ON audit_log(at);
   CREATE INDEX audit_log_actor ON audit_log(actor_user_id, id);
   CREATE INDEX audit_log_target ON audit_log(target_user_id, id);
   CREATE INDEX audit_log_session ON audit_log(session_id, id);
   CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
   CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;`,
  // 8: how full the context was after each turn (shown again when a conversation is reloaded)
  `ALTER TABLE turns ADD COLUMN context_tokens INTEGER;
   ALTER TABLE turns ADD COLUMN context_window INTEGER;`,
  // 9: users (the bootstrap key's admin is 'default', who owns every session made before) and personal API tokens
  `CREATE TABLE users (
     user_id      TEXT PRIMARY KEY,
     name         TEXT NOT NULL,
     role         TEXT NOT NULL CHECK (role IN ('admin','member')),
     oidc_subject TEXT UNIQUE,
     disabled     INTEGER NOT NULL DEFAULT 0,
     created_at   TEXT NOT NULL,
     updated_at   TEXT NOT NULL
   );
   INSERT INTO users (user_id, name, role, created_at, updated_at)
     VALUES ('default', 'admin', 'admin', strftime('%Y-%m-%dT%H:%M:%fZ','now'), strftime('%Y-%m-%dT%H:%M:%fZ','now'));
   CREATE TABLE api_tokens (
     token_id     TEXT PRIMARY KEY,
     user_id      TEXT NOT NULL REFERENCES users(user_id),
     name         TEXT NOT NULL,
     hash         TEXT NOT NULL UNIQUE,
     created_at   TEXT NOT NULL,
     last_used_at TEXT,
     revoked_at   TEXT
   );
   CREATE INDEX api_tokens_user ON api_tokens(user_id);
   CREATE INDEX sessions_user ON sessions(user_id, last_active_at);`,
  // 10: per-user limits (null: no limit; usage is read from sessions and turns) and each session's working folder
  `CREATE TABLE user_limits (
     user_id            TEXT PRIMARY KEY,
     max_sessions       INTEGER,
     monthly_budget_usd REAL,
     updated_at         TEXT NOT NULL
   );
   CREATE INDEX turns_ended ON turns(ended_at);
   CREATE TABLE session_workspaces (
     session_id TEXT PRIMARY KEY,
     cwd        TEXT NOT NULL
   );`,
  // 11: each session's model and permission mode (NULL: the server's defaults), used again on resume
  `ALTER TABLE sessions ADD COLUMN model TEXT;
   ALTER TABLE sessions ADD COLUMN permission_mode TEXT;`,
  // 12: each conversation as stored messages (read by page, exported, searched) and how far its
  // transcript was read; full-text indexes over message text and titles; the list's order as an index
  `CREATE TABLE history_messages (
     id          INTEGER PRIMARY KEY,
     session_id  TEXT NOT NULL,
     pos         INTEGER NOT NULL,
     type        TEXT NOT NULL,
     body        TEXT NOT NULL,
     search_text TEXT NOT NULL DEFAULT '',
     UNIQUE (session_id, pos)
   );
   CREATE TABLE history_sources (
     session_id  TEXT PRIMARY KEY,
     bytes       INTEGER NOT NULL,
     format      INTEGER NOT NULL,
     count       INTEGER NOT NULL
   );
   CREATE VIRTUAL TABLE history_fts USING fts5(search_text, content='history_messages', content_rowid='id',
     tokenize='unicode61 remove_diacritics 2');
   CREATE TRIGGER history_fts_ai AFTER INSERT ON history_messages BEGIN
     INSERT INTO history_fts(rowid, search_text) VALUES (new.id, new.search_text);
   END;
   CREATE TRIGGER history_fts_ad AFTER DELETE ON history_messages BEGIN
     INSERT INTO history_fts(history_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
   END;
   CREATE TRIGGER history_fts_au AFTER UPDATE ON history_messages BEGIN
     INSERT INTO history_fts(history_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);
     INSERT INTO history_fts(rowid, search_text) VALUES (new.id, new.search_text);
   END;
   CREATE VIRTUAL TABLE title_fts USING fts5(session_id UNINDEXED, title, tokenize='unicode61 remove_diacritics 2');
   INSERT INTO title_fts(session_id, title) SELECT session_id, title FROM sessions WHERE title IS NOT NULL;
   CREATE TRIGGER sessions_title_ai AFTER INSERT ON sessions WHEN new.title IS NOT NULL BEGIN
     INSERT INTO title_fts(session_id, title) VALUES (new.session_id, new.title);
   END;
   CREATE TRIGGER sessions_title_au AFTER UPDATE OF title ON sessions WHEN old.title IS NOT new.title BEGIN
     DELETE FROM title_fts WHERE session_id = old.session_id;
     INSERT INTO title_fts(session_id, title) SELECT new.session_id, new.title WHERE new.title IS NOT NULL;
   END;
   CREATE INDEX sessions_recent ON sessions(last_active_at DESC, session_id DESC);
   CREATE INDEX sessions_recent_of ON sessions(user_id, last_active_at DESC, session_id DESC);`,
  // 13: a browser sign-in follows its credential (the key's fingerprint or the token exchanged), has a
  // public id, a last use and the browser's user agent. Exchanges from before cannot be traced to their
  // credential, so they end (those browsers sign in again).
  `ALTER TABLE web_sessions ADD COLUMN id TEXT;
   ALTER TABLE web_sessions ADD COLUMN credential TEXT;
   ALTER TABLE web_sessions ADD COLUMN user_agent TEXT;
   ALTER TABLE web_sessions ADD COLUMN last_used_at TEXT;
   DELETE FROM web_sessions WHERE via = 'token';
   UPDATE web_sessions SET id = lower(hex(randomblob(12)));
   CREATE UNIQUE INDEX web_sessions_id ON web_sessions(id);
   CREATE INDEX web_sessions_credential ON web_sessions(credential);`,
  // 14: an archived session (left out of the list, still searchable): when it was archived, NULL when not
  `ALTER TABLE sessions ADD COLUMN archived_at TEXT;`,
  // 15: replicas of one database (issue 21): each replica's figures and last report (the replicas view), and
  // which replica spawned each process (a restarted replica ends only its own; NULL: recorded before replicas)
  `CREATE TABLE replicas (
     replica_id     TEXT PRIMARY KEY,
     live_processes INTEGER NOT NULL,
     max_sessions   INTEGER NOT NULL,
     pool_depth     INTEGER NOT NULL,
     draining       INTEGER NOT NULL DEFAULT 0,
     last_seen      TEXT NOT NULL
   );
   ALTER TABLE spawned_processes ADD COLUMN replica_id TEXT;`,
];

export function migrate(db: Database.Database): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return MIGRATIONS.length;
}
