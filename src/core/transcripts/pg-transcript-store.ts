// Transcript lines of every session in PostgreSQL, so any replica can resume a session its
// config folder never held. One row per JSONL line, in the order they were appended (a global
// sequence), keyed by session and subpath (subagent transcripts). Lines are kept as the JSON text
// the SDK gave (not jsonb: jsonb refuses \u0000, which a tool's output may hold, and nothing
// here queries inside a line).
import type { SessionKey, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import type postgres from 'postgres';
import type { FenceProvider } from '../../db/leases.js';
import { fenceCondition } from '../../db/postgres/fence-sql.js';

/** A write refused because this replica no longer holds the session's lease. */
export class FencedOut extends Error {
  constructor(sessionId: string) {
    super(`transcript write refused: this replica does not hold the lease of session ${sessionId}`);
    this.name = 'FencedOut';
  }
}

/** One stored transcript (main or subagent) of a session. */
export interface StoredTranscript {
  projectKey: string;
  /** '' for the main transcript. */
  subpath: string;
  entries: SessionStoreEntry[];
}

/** The pool or one of its transactions. */
type Sql = postgres.Sql | postgres.TransactionSql;

const LOCK_KEY = 0x637370_7472; // "csptr": one advisory lock for the table's creation

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS transcript_entries (
     id bigserial PRIMARY KEY,
     session_id text NOT NULL,
     subpath text NOT NULL DEFAULT '',
     project_key text NOT NULL,
     uuid text,
     entry text NOT NULL,
     written_at timestamptz NOT NULL DEFAULT now()
   )`,
  'CREATE INDEX IF NOT EXISTS transcript_entries_session ON transcript_entries (session_id, subpath, id)',
  // The SDK's idempotency key: a retried batch (or a repair racing an append) adds no duplicate.
  'CREATE UNIQUE INDEX IF NOT EXISTS transcript_entries_uuid ON transcript_entries (session_id, subpath, uuid) WHERE uuid IS NOT NULL',
];

export class PgTranscriptStore {
  private ready: Promise<void> | undefined;

  constructor(
    private readonly sql: postgres.Sql,
    /** The lease fence (db/leases.ts): each write lands only while this replica may write the session. None on one host. */
    private readonly fence?: FenceProvider | undefined,
  ) {}

  /** Creates the table once (under an advisory lock: replicas starting together race otherwise). */
  init(): Promise<void> {
    this.ready ??= this.sql
      .begin(async (tx) => {
        await tx`SELECT pg_advisory_xact_lock(${LOCK_KEY})`;
        for (const stmt of SCHEMA) await tx.unsafe(stmt);
      })
      .then(() => undefined)
      .catch((e) => {
        this.ready = undefined;
        throw e;
      });
    return this.ready;
  }

  /** The fence condition of a write, ANDed into the statement itself (TRUE without leases). */
  private fenceSql(sql: Sql, sessionId: string): postgres.PendingQuery<postgres.Row[]> {
    return fenceCondition(sql as postgres.Sql, sessionId, this.fence);
  }

  private async assertHolder(sql: Sql, sessionId: string): Promise<void> {
    if (!this.fence) return;
    const [r] = await sql`SELECT ${this.fenceSql(sql, sessionId)} AS ok`;
    if (!r?.ok) throw new FencedOut(sessionId);
  }

  /** Appends a batch in order; lines already stored (same uuid) are skipped. One statement, fenced. */
  async append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.init();
    const inserted = await this.insert(this.sql, key, entries);
    // Nothing written: every line was a duplicate, or the fence refused it (told apart only then).
    if (inserted === 0) await this.assertHolder(this.sql, key.sessionId);
  }

  private async insert(sql: Sql, key: SessionKey, entries: SessionStoreEntry[]): Promise<number> {
    const uuids = entries.map((e) => (typeof e.uuid === 'string' ? e.uuid : null));
    const lines = entries.map((e) => JSON.stringify(e));
    const rows = await sql`
      INSERT INTO transcript_entries (session_id, subpath, project_key, uuid, entry)
      SELECT ${key.sessionId}, ${key.subpath ?? ''}, ${key.projectKey}, t.u, t.e
      FROM unnest(${sql.array(uuids as string[])}::text[], ${sql.array(lines)}::text[]) WITH ORDINALITY AS t(u, e, n)
      WHERE ${this.fenceSql(sql, key.sessionId)}
      ORDER BY t.n
      ON CONFLICT (session_id, subpath, uuid) WHERE uuid IS NOT NULL DO NOTHING
      RETURNING 1`;
    return rows.length;
  }

  /**
   * Makes the stored copy of one transcript exactly `entries` (the owner's local file, which the
   * CLI wrote before the SDK mirrored anything): one transaction, fenced.
   */
  async replace(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
    await this.init();
    await this.sql.begin(async (tx) => {
      await this.assertHolder(tx, key.sessionId);
      await tx`DELETE FROM transcript_entries WHERE session_id = ${key.sessionId} AND subpath = ${key.subpath ?? ''}`;
      if (entries.length > 0) await this.insert(tx, key, entries);
    });
  }

  /** Every stored transcript of a session (main first, then subagents), lines in append order. */
  async load(sessionId: string): Promise<StoredTranscript[]> {
    await this.init();
    const rows = await this.sql<{ subpath: string; project_key: string; entry: string }[]>`
      SELECT subpath, project_key, entry FROM transcript_entries WHERE session_id = ${sessionId} ORDER BY subpath, id`;
    const out: StoredTranscript[] = [];
    for (const r of rows) {
      let t = out.at(-1);
      if (!t || t.subpath !== r.subpath) {
        t = { projectKey: r.project_key, subpath: r.subpath, entries: [] };
        out.push(t);
      }
      t.entries.push(JSON.parse(r.entry) as SessionStoreEntry);
    }
    return out;
  }

  /**
   * What the stored main transcript holds, without its text: the number of lines and their uuids
   * (undefined when nothing is stored). Enough to tell whether a local file is in step.
   */
  async digest(sessionId: string): Promise<{ lines: number; uuids: Set<string> } | undefined> {
    await this.init();
    const rows = await this.sql<{ uuid: string | null }[]>`
      SELECT uuid FROM transcript_entries WHERE session_id = ${sessionId} AND subpath = ''`;
    if (rows.length === 0) return undefined;
    return { lines: rows.length, uuids: new Set(rows.flatMap((r) => (r.uuid === null ? [] : [r.uuid]))) };
  }

  /** Whether anything of the session is stored (one indexed probe). */
  async has(sessionId: string): Promise<boolean> {
    await this.init();
    const rows = await this.sql`SELECT 1 FROM transcript_entries WHERE session_id = ${sessionId} LIMIT 1`;
    return rows.length > 0;
  }

  /** Removes a session's transcripts (Delete of a session). */
  async delete(sessionId: string): Promise<void> {
    await this.init();
    await this.sql`DELETE FROM transcript_entries WHERE session_id = ${sessionId}`;
  }
}
