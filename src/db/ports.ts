// The storage contract: one asynchronous interface per repository, implemented by each engine
// (SQLite in db/sqlite/, PostgreSQL in db/postgres/) and proven by one contract suite
// (test/contract-repositories.test.ts). Types only: nothing here runs.
//
// Shared rules for every engine:
// - Times are ISO-8601 UTC strings (`2026-01-02T03:04:05.678Z`) in and out; they compare as text.
// - Writes that record what happened (session rows, turns, spawned processes, conversation copies,
//   audit entries, last-use touches, sign-ins, limits, working folders, archive and delete) resolve
//   after close() and change nothing: a child may exit after shutdown closed the database, and its
//   record stays for the next start. User and token changes and reads after close() may reject.
// - Every method returns a Promise; a rejected write is the caller's to log, never to leave unhandled.
import type { HistoryMessage, Role, SessionPermissionMode, SessionStatus, TurnOutcome } from '../protocol/messages.js';

// ------------------------------------------------------------------ sessions

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
  /** The folder its agent works in (WorkspaceRepository's row; read, never written through save). */
  working_dir?: string | null;
  /** When it was archived (null: it is not); written only by SessionRemovalRepository, never through save. */
  archived_at?: string | null;
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

/** Where a page of the session list ends: the last row's order key. */
export interface ListCursor {
  last_active_at: string;
  session_id: string;
}

/** A process we spawned (pid plus its start time, so a reused pid is never mistaken for ours). */
export interface SpawnedProcess {
  pid: number;
  start_time: string;
  session_id: string | null;
}

export interface SessionRepository {
  /** Inserts or updates the row (every column but user_id, created_at, working_dir and archived_at on update). */
  save(m: SessionMetadata): Promise<void>;
  /** With working_dir and archived_at filled in. */
  get(sessionId: string): Promise<SessionMetadata | undefined>;
  /** Every session not terminated, oldest created first (archived ones included). */
  listActive(): Promise<SessionMetadata[]>;
  /** Sessions not archived, most recently active first; one user's only with `userId`. */
  listAll(userId?: string): Promise<SessionMetadata[]>;
  /**
   * Up to `limit` sessions strictly after `cursor` in the order (last_active_at DESC, session_id DESC),
   * from the newest without one; archived ones only when `archived`, else those not archived;
   * one user's only with `userId`. A page ends where the next starts, whatever changes meanwhile.
   */
  listPage(opts: { limit: number; cursor?: ListCursor; userId?: string; archived?: boolean }): Promise<SessionMetadata[]>;
  /** These sessions (those of `userId` only, when given; archived ones included), newest first, at most `limit`. */
  listOf(ids: string[], opts: { limit: number; userId?: string }): Promise<SessionMetadata[]>;
  /**
   * Records a process we spawned (replacing a record with the same pid and start time), with the replica that
   * spawned it (REPLICA_ID): pids mean something only on their own host.
   */
  rememberProcess(pid: number, startTime: string, sessionId: string | null, replicaId?: string): Promise<void>;
  forgetProcess(pid: number, startTime: string): Promise<void>;
  /** The records of `replicaId` and those with no replica (made before replicas); every record without it. */
  spawnedProcesses(replicaId?: string): Promise<SpawnedProcess[]>;
  recordTurn(t: TurnRecord): Promise<void>;
  /** A session's turns, oldest first (null context fields when not reported). */
  turnsOf(sessionId: string): Promise<TurnRecord[]>;
  /** Turns that started in [fromIso, toIso), oldest first. */
  turnsBetween(sessionId: string, fromIso: string, toIso: string): Promise<TurnRecord[]>;
}

// ------------------------------------------------------------------ conversations (stored copies)

export interface HistorySource {
  /** Bytes of the transcript already read (complete lines only). */
  bytes: number;
  /** Version of the conversion from transcript to messages: another one reads the transcript again. */
  format: number;
  /** Messages stored. */
  count: number;
}

export interface StoredMessage {
  pos: number;
  message: HistoryMessage;
}

/**
 * Each conversation as stored messages by position, and search over them and the session titles.
 *
 * Search semantics (every engine gives the same sessions for the same query):
 * - The query's words are its maximal runs of Unicode letters, digits and `_` (`/[\p{L}\p{N}_]+/gu`), the
 *   first 16 only. Everything else (quotes, `*`, `-`, `:`, parentheses, AND/OR/NOT as operators…) only
 *   separates words: nothing a user types is query syntax. No word: no hits.
 * - Text is split into tokens at every character that is not a letter or digit (`_` separates too).
 *   Matching ignores case (any script) and the diacritics of Latin letters (`Café` finds `cafe`, `CAFE` finds
 *   `café`, `zurich` finds `Zürich`); other scripts' marks count (`ωμέγα` finds `Ωμέγα`, not `Ωμεγα`).
 * - A query word matches a token it is a prefix of (`deplo` finds `deploy`). A query word the text's
 *   splitting would cut (`foo_bar`) matches its parts as a phrase: adjacent, in order, the last as a prefix.
 * - A session is a hit when ONE of its messages holds every word, or its title does. Only user and
 *   assistant text is searched (`searchTextOf`: tool calls and tool output never match).
 * - Archived sessions are found; all users' sessions are found (the caller filters by owner).
 */
export interface HistoryRepository {
  source(sessionId: string): Promise<HistorySource | undefined>;
  /** Replaces the messages from position `from` on with `messages` (positions from, from+1, …) and records the source: all or nothing. */
  replaceFrom(sessionId: string, from: number, messages: HistoryMessage[], source: HistorySource): Promise<void>;
  /** Where the turn holding position `pos` starts: the newest user message at or before it (0 when none). */
  turnStartAtOrBefore(sessionId: string, pos: number): Promise<number>;
  /** Position of the newest user message whose search text is exactly `text`, if stored. */
  lastUserWithText(sessionId: string, text: string): Promise<number | undefined>;
  /** Messages at positions [from, to), in order. */
  range(sessionId: string, from: number, to: number): Promise<StoredMessage[]>;
  all(sessionId: string): Promise<StoredMessage[]>;
  /** Sessions whose conversation was never read (or read by another `format`), most recently active first. */
  unsynced(format: number): Promise<string[]>;
  /**
   * Sessions whose title or one message has every word of `q` (semantics above): for each, the id of its
   * newest matching message (the one stored last; undefined when only the title matched). Title-only hits
   * are capped at 2,000 sessions; message hits are not capped.
   */
  search(q: string): Promise<Map<string, number | undefined>>;
  /**
   * A short excerpt of message `id`'s search text around a match of `q`: at most about 16 tokens (an engine
   * may count slightly differently), no highlight markers, `…` where the text was cut. Undefined when `q`
   * has no word or the message does not match `q`.
   */
  snippet(q: string, id: number): Promise<string | undefined>;
}

// ------------------------------------------------------------------ users and tokens

export interface UserRow {
  user_id: string;
  name: string;
  role: Role;
  oidc_subject: string | null;
  disabled: boolean;
  created_at: string;
  updated_at: string;
}

export interface TokenRow {
  token_id: string;
  user_id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A token as inserted: its SHA-256 (hex), never the secret. */
export type NewToken = Omit<TokenRow, 'last_used_at' | 'revoked_at'> & { hash: string };

/** Users (the built-in admin `default` exists from the first migration) and their personal tokens. */
export interface UserRepository {
  user(userId: string): Promise<UserRow | undefined>;
  userBySubject(subject: string): Promise<UserRow | undefined>;
  /** Oldest first (created_at, then user_id). */
  users(): Promise<UserRow[]>;
  /**
   * Called before any user is inserted (throws to refuse: the server cannot confine a new user's
   * agents). Set by the composition root; every engine calls it in insertUser and insertUserWithToken.
   */
  beforeInsert: () => void;
  /** Rejects when the id or the oidc_subject exists. */
  insertUser(u: UserRow): Promise<void>;
  /** A user and their first token, both or neither. */
  insertUserWithToken(u: UserRow, t: NewToken): Promise<void>;
  updateUser(u: Pick<UserRow, 'user_id' | 'name' | 'role' | 'disabled' | 'updated_at'>): Promise<void>;
  /** Disables the user and revokes their live tokens, both or neither; returns how many tokens were revoked. */
  disableUser(userId: string, at: string): Promise<number>;
  /** Enabled admins. */
  activeAdminCount(): Promise<number>;
  /** Enabled users other than this one. */
  activeUsersBesides(userId: string): Promise<number>;
  insertToken(t: NewToken): Promise<void>;
  tokenByHash(hash: string): Promise<TokenRow | undefined>;
  token(tokenId: string): Promise<TokenRow | undefined>;
  /** Revoked ones included, oldest first (created_at, then token_id). */
  tokensOf(userId: string): Promise<TokenRow[]>;
  /** True when the token was live and is now revoked. */
  revokeToken(tokenId: string, at: string): Promise<boolean>;
  /** Revokes the user's live tokens; returns how many. */
  revokeTokensOf(userId: string, at: string): Promise<number>;
  touchToken(tokenId: string, at: string): Promise<void>;
}

// ------------------------------------------------------------------ browser sign-ins

export interface WebSessionRow {
  /** SHA-256 (hex) of the cookie value, which is never stored. */
  token_hash: string;
  /** The public id (lists, ending one). */
  id: string;
  user_id: string;
  /** How the browser signed in: oidc, proxy, key (the bootstrap key exchanged), token (a personal token exchanged). */
  via: string;
  /** What the sign-in stands on besides its user: `key:<fingerprint>`, `token:<token id>`; null for oidc/proxy. */
  credential: string | null;
  user_agent: string | null;
  created_at: string;
  last_used_at: string | null;
  expires_at: string;
}

export interface WebSessionRepository {
  insert(row: WebSessionRow): Promise<void>;
  get(tokenHash: string): Promise<WebSessionRow | undefined>;
  /** A user's sign-ins not yet expired at `now` (expires_at > now), newest first (created_at DESC, then id). */
  of(userId: string, now: string): Promise<WebSessionRow[]>;
  delete(tokenHash: string): Promise<boolean>;
  /** Removes a user's sign-ins; returns the hashes removed. */
  deleteAllOf(userId: string): Promise<string[]>;
  deleteByCredential(credential: string): Promise<string[]>;
  /** Removes sign-ins made with a bootstrap key (via 'key') whose credential is not this one (or null). */
  deleteKeySignInsExcept(credential: string): Promise<string[]>;
  touch(tokenHash: string, at: string): Promise<void>;
  /** Removes rows expired at `now` (expires_at <= now); returns how many. */
  deleteExpired(now: string): Promise<number>;
}

// ------------------------------------------------------------------ limits and usage

export interface LimitsRow {
  user_id: string;
  /** null: no limit. */
  max_sessions: number | null;
  monthly_budget_usd: number | null;
}

export interface UsageRow {
  sessions: number;
  turns: number;
  cost_usd: number;
}

/** Per-user limits, and usage read from sessions (by created_at) and turns (by ended_at) of the user's sessions. */
export interface LimitsRepository {
  get(userId: string): Promise<LimitsRow | undefined>;
  /** Inserts or replaces the user's limits. */
  set(row: LimitsRow): Promise<void>;
  /** Cost of the user's turns that ended at or after `since` (0 when none). */
  costSince(userId: string, since: string): Promise<number>;
  /** Sessions created and turns ended at or after `since`, with the turns' cost. */
  usageSince(userId: string, since: string): Promise<UsageRow>;
  /** The same per UTC day (`YYYY-MM-DD`, the first 10 characters of the ISO time), days with nothing left out, oldest first. */
  usageByDay(userId: string, since: string): Promise<(UsageRow & { day: string })[]>;
  /** Every user id that has a session or limits, sorted, once each. */
  knownUsers(): Promise<string[]>;
}

// ------------------------------------------------------------------ audit log

export interface AuditRow {
  /** Increasing with each append. */
  id: number;
  at: string;
  actor_user_id: string;
  action: string;
  target_user_id: string | null;
  session_id: string | null;
  /** JSON text. */
  detail: string;
}

export interface AuditFilter {
  /** Actor or target. */
  user_id?: string;
  action?: string;
  session_id?: string;
  /** ISO times: at >= since, at < until. */
  since?: string;
  until?: string;
  /** Only entries older than this id (the page cursor). */
  before_id?: number;
  limit: number;
}

/**
 * The audit log, append-only in the database itself: an UPDATE or DELETE of its table is refused by the
 * engine (a trigger or rule raising "audit_log is append-only"), whoever connects. Nothing here changes an entry.
 */
export interface AuditRepository {
  /** Returns the new entry's id (0 after close). */
  append(row: Omit<AuditRow, 'id'>): Promise<number>;
  /** Matching entries, newest first (id DESC), at most `limit`. */
  query(f: AuditFilter): Promise<AuditRow[]>;
}

// ------------------------------------------------------------------ archive and delete

export interface SessionRemovalRepository {
  /** Archives (`at`: when) or restores (null) a session. */
  setArchived(sessionId: string, at: string | null): Promise<void>;
  /** Every stored row of a session, all or nothing: its metadata, turns, conversation copy, search entries and working folder. */
  deleteSession(sessionId: string): Promise<void>;
}

// ------------------------------------------------------------------ working folders

/** Each session's working folder, written once at creation and used on every resume. */
export interface WorkspaceRepository {
  cwdOf(sessionId: string): Promise<string | undefined>;
  /** Inserts or replaces. */
  record(sessionId: string, cwd: string): Promise<void>;
}

// ------------------------------------------------------------------ the bundle

/** One database, opened once by the composition root (db/open-repositories.ts) and closed once. */
export interface Repositories {
  readonly engine: 'sqlite' | 'postgres';
  readonly sessions: SessionRepository;
  readonly history: HistoryRepository;
  readonly users: UserRepository;
  readonly webSessions: WebSessionRepository;
  readonly limits: LimitsRepository;
  readonly audit: AuditRepository;
  readonly removals: SessionRemovalRepository;
  readonly workspaces: WorkspaceRepository;
  readonly replicas: ReplicaRepository;
  /** Waits for writes in flight, then closes the connection(s). Idempotent. */
  close(): Promise<void>;
}

// ------------------------------------------------------------------ replicas

/** One replica's last report; `seen_seconds_ago` by the database's clock. */
export interface ReplicaRecord {
  replica_id: string;
  live_processes: number;
  max_sessions: number;
  pool_depth: number;
  draining: boolean;
  last_seen: string;
  seen_seconds_ago: number;
}

/** The replicas view: each replica of one database reports its figures to a row of its own. */
export interface ReplicaRepository {
  /**
   * Inserts or replaces this replica's row with last_seen = the database's now, and deletes the rows
   * of any replica unseen for longer than `pruneAfterSeconds`.
   */
  heartbeat(r: Omit<ReplicaRecord, 'last_seen' | 'seen_seconds_ago'>, pruneAfterSeconds: number): Promise<void>;
  /** Every row, by replica_id. */
  list(): Promise<ReplicaRecord[]>;
  /** Deletes a replica's row (its clean stop). */
  remove(replicaId: string): Promise<void>;
}
