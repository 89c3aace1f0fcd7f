// The PostgreSQL schema as versioned steps (table schema_migrations; migrate.ts runs them once, under a lock).
// Append only: never edit a shipped step. Step 1 is the SQLite schema's final shape (db/migrations.ts, steps
// 1–14) written for PostgreSQL. Text columns that are compared or ordered use the "C" collation: byte order,
// as SQLite compares, whatever the database's locale ('~' after every ISO time and UUID, as cursors expect).
// Search: a tsvector per message and per title, written by the repositories from our own tokenizer
// (postgres/search-tokens.ts), each with a GIN index.

/** Text in byte order. */
const T = 'TEXT COLLATE "C"';
/** The database's clock as our ISO-8601 UTC text. */
const NOW_ISO = `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export const PG_MIGRATIONS: readonly string[] = [
  // 1: everything SQLite's steps 1–14 built
  `CREATE TABLE sessions (
     session_id        ${T} PRIMARY KEY,
     user_id           ${T} NOT NULL DEFAULT 'default',
     status            ${T} NOT NULL DEFAULT 'creating'
                       CHECK (status IN ('creating','active','idle','dormant','terminated')),
     created_at        ${T} NOT NULL,
     last_active_at    ${T} NOT NULL,
     subprocess_pid    INTEGER,
     message_count     INTEGER NOT NULL DEFAULT 0,
     total_cost_usd    DOUBLE PRECISION NOT NULL DEFAULT 0,
     is_resumable      BOOLEAN NOT NULL DEFAULT true,
     terminated_reason TEXT,
     title             TEXT,
     model             TEXT,
     permission_mode   TEXT,
     archived_at       ${T},
     title_search      TSVECTOR
   );
   CREATE INDEX sessions_status ON sessions(status);
   CREATE INDEX sessions_recent ON sessions(last_active_at DESC, session_id DESC);
   CREATE INDEX sessions_recent_of ON sessions(user_id, last_active_at DESC, session_id DESC);
   CREATE INDEX sessions_title_search ON sessions USING GIN (title_search);

   CREATE TABLE spawned_processes (
     pid         INTEGER NOT NULL,
     start_time  ${T} NOT NULL,
     session_id  ${T},
     spawned_at  ${T} NOT NULL,
     PRIMARY KEY (pid, start_time)
   );

   CREATE TABLE turns (
     id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     session_id     ${T} NOT NULL,
     started_at     ${T} NOT NULL,
     ended_at       ${T} NOT NULL,
     outcome        ${T} NOT NULL CHECK (outcome IN ('complete','interrupted','error')),
     cost_usd       DOUBLE PRECISION NOT NULL DEFAULT 0,
     turn_count     INTEGER NOT NULL DEFAULT 0,
     context_tokens INTEGER,
     context_window INTEGER
   );
   CREATE INDEX turns_session ON turns(session_id, started_at);
   CREATE INDEX turns_ended ON turns(ended_at);

   CREATE TABLE web_sessions (
     token_hash   ${T} PRIMARY KEY,
     id           ${T} NOT NULL UNIQUE,
     user_id      ${T} NOT NULL,
     via          ${T} NOT NULL,
     credential   ${T},
     user_agent   TEXT,
     created_at   ${T} NOT NULL,
     last_used_at ${T},
     expires_at   ${T} NOT NULL
   );
   CREATE INDEX web_sessions_user ON web_sessions(user_id);
   CREATE INDEX web_sessions_expiry ON web_sessions(expires_at);
   CREATE INDEX web_sessions_credential ON web_sessions(credential);

   CREATE TABLE audit_log (
     id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at             ${T} NOT NULL,
     actor_user_id  ${T} NOT NULL,
     action         ${T} NOT NULL,
     target_user_id ${T},
     session_id     ${T},
     detail         TEXT NOT NULL DEFAULT '{}'
   );
   CREATE INDEX audit_log_at ON audit_log(at);
   CREATE INDEX audit_log_actor ON audit_log(actor_user_id, id);
   CREATE INDEX audit_log_target ON audit_log(target_user_id, id);
   CREATE INDEX audit_log_session ON audit_log(session_id, id);
   -- Append-only whoever connects: UPDATE, DELETE and TRUNCATE raise.
   CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS
     $$ BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
   CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
   CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
     FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

   CREATE TABLE users (
     user_id      ${T} PRIMARY KEY,
     name         TEXT NOT NULL,
     role         ${T} NOT NULL CHECK (role IN ('admin','member')),
     oidc_subject ${T} UNIQUE,
     disabled     BOOLEAN NOT NULL DEFAULT false,
     created_at   ${T} NOT NULL,
     updated_at   ${T} NOT NULL
   );
   INSERT INTO users (user_id, name, role, created_at, updated_at) VALUES ('default', 'admin', 'admin', ${NOW_ISO}, ${NOW_ISO});
   CREATE TABLE api_tokens (
     token_id     ${T} PRIMARY KEY,
     user_id      ${T} NOT NULL REFERENCES users(user_id),
     name         TEXT NOT NULL,
     hash         ${T} NOT NULL UNIQUE,
     created_at   ${T} NOT NULL,
     last_used_at ${T},
     revoked_at   ${T}
   );
   CREATE INDEX api_tokens_user ON api_tokens(user_id);

   CREATE TABLE user_limits (
     user_id            ${T} PRIMARY KEY,
     max_sessions       INTEGER,
     monthly_budget_usd DOUBLE PRECISION,
     updated_at         ${T} NOT NULL
   );
   CREATE TABLE session_workspaces (
     session_id ${T} PRIMARY KEY,
     cwd        TEXT NOT NULL
   );

   CREATE TABLE history_messages (
     id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     session_id  ${T} NOT NULL,
     pos         INTEGER NOT NULL,
     type        ${T} NOT NULL,
     body        TEXT NOT NULL,
     search_text ${T} NOT NULL DEFAULT '',
     search      TSVECTOR NOT NULL DEFAULT ''::tsvector,
     UNIQUE (session_id, pos)
   );
   CREATE INDEX history_messages_search ON history_messages USING GIN (search);
   CREATE TABLE history_sources (
     session_id  ${T} PRIMARY KEY,
     bytes       BIGINT NOT NULL,
     format      INTEGER NOT NULL,
     count       INTEGER NOT NULL
   );`,
  // 2: session leases (issue 21 item 4): one owner replica per live session, its epoch, expiry by the database's clock
  `CREATE TABLE session_leases (
     session_id ${T} PRIMARY KEY,
     owner      ${T} NOT NULL,
     epoch      BIGINT NOT NULL,
     expires_at TIMESTAMPTZ NOT NULL
   );
   CREATE INDEX session_leases_owner ON session_leases (owner, expires_at);`,
  // 3: the replicas view (each replica's figures, last report by the database's clock) and which replica spawned
  // each process (SQLite step 15)
  `CREATE TABLE replicas (
     replica_id     ${T} PRIMARY KEY,
     live_processes INTEGER NOT NULL,
     max_sessions   INTEGER NOT NULL,
     pool_depth     INTEGER NOT NULL,
     draining       BOOLEAN NOT NULL DEFAULT false,
     seen_at        TIMESTAMPTZ NOT NULL
   );
   ALTER TABLE spawned_processes ADD COLUMN replica_id ${T};`,
];
