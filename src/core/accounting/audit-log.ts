// The audit log service: who did what, when, to whom and in which session. Every part of
// the server records through `record` with an action of AUDIT_ACTIONS (src/protocol/accounting.ts).
// Entries are append-only (database triggers refuse UPDATE and DELETE). Details never hold
// secrets: tool inputs are reduced to a short summary with secret-looking values masked.
import type { Logger } from 'pino';
import type { AuditRepository, AuditRow } from '../../db/ports.js';
import { type AuditAction, type AuditEntry, type AuditListResponse, type AuditQuery, SYSTEM_ACTOR } from '../../protocol/accounting.js';
import { PlatformError } from '../../protocol/errors.js';
import type { SessionEventSource } from '../sessions/lifecycle-events.js';
import { maskSecrets } from './mask-secrets.js';

export interface AuditRecord {
  actor_user_id: string;
  action: AuditAction;
  target_user_id?: string | null;
  session_id?: string | null;
  detail?: Record<string, unknown>;
}

const SUMMARY_CHARS = 200;
const VALUE_CHARS = 80;
/** Input fields whose value is a secret by its name. */
const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|auth|credential|cookie|private/i;
/** The field that names what a file tool works on. */
const PATH_FIELDS = ['file_path', 'notebook_path', 'path', 'pattern', 'url'];

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export { maskSecrets };

/** A short, secret-free description of a tool call's input, for the audit log. */
export function summarizeToolInput(tool: string, input: Record<string, unknown>): string {
  if (tool === 'Bash' && typeof input.command === 'string') return clip(maskSecrets(input.command), SUMMARY_CHARS);
  for (const f of PATH_FIELDS) if (typeof input[f] === 'string') return clip(maskSecrets(input[f] as string), SUMMARY_CHARS);
  // Any other tool: its fields, values cut short, secret-named ones masked.
  const parts = Object.entries(input).map(([k, v]) => {
    if (SECRET_KEY.test(k)) return `${k}=***`;
    const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
    return `${k}=${clip(maskSecrets(s), VALUE_CHARS)}`;
  });
  return clip(parts.join(' '), SUMMARY_CHARS);
}

interface Cursor {
  id: number;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(s: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as Cursor;
    if (Number.isSafeInteger(c.id) && c.id > 0) return c;
  } catch {
    /* falls through */
  }
  throw new PlatformError('invalid_message', 'Invalid cursor');
}

const toEntry = (r: AuditRow): AuditEntry => ({
  id: r.id,
  at: r.at,
  actor_user_id: r.actor_user_id,
  action: r.action as AuditAction,
  target_user_id: r.target_user_id,
  session_id: r.session_id,
  detail: JSON.parse(r.detail) as Record<string, unknown>,
});

export class AuditLog {
  /** Appends not yet stored, in order: a read waits for them (what was done is in the page that follows). */
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly repo: AuditRepository,
    private readonly log?: Logger,
  ) {}

  /**
   * Appends one entry, after the ones before it. Never throws and never waits: a failed write is
   * logged, the action it records goes on. An engine whose calls finish synchronously stores it at once.
   */
  record(r: AuditRecord): void {
    const row = {
      at: new Date().toISOString(),
      actor_user_id: r.actor_user_id,
      action: r.action,
      target_user_id: r.target_user_id ?? null,
      session_id: r.session_id ?? null,
      detail: JSON.stringify(r.detail ?? {}),
    };
    const append = () =>
      new Promise<unknown>((resolve) => resolve(this.repo.append(row))).then(
        () => undefined,
        (e: unknown) => this.log?.error({ err: e, action: r.action }, 'audit log write failed'),
      );
    this.pending = this.idle ? append() : this.pending.then(append);
    this.idle = false;
    const mine = this.pending;
    void mine.then(() => {
      if (this.pending === mine) this.idle = true;
    });
  }

  private idle = true;

  /** Resolves when every entry recorded so far is stored (or its failure logged). */
  settled(): Promise<void> {
    return this.pending;
  }

  /** One page, newest first, with the cursor of the next (older) page. */
  async list(q: AuditQuery): Promise<AuditListResponse> {
    await this.pending;
    const limit = q.limit ?? 100;
    const iso = (t: string | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
    const rows = await this.repo.query({
      user_id: q.user_id,
      action: q.action,
      session_id: q.session_id,
      since: iso(q.since),
      until: iso(q.until),
      before_id: q.cursor === undefined ? undefined : decodeCursor(q.cursor).id,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { entries: page.map(toEntry), next_cursor: rows.length > limit && last ? encodeCursor({ id: last.id }) : null };
  }

  /** The title a user last gave a session (`session.renamed`), if any. */
  async renamedTitle(sessionId: string): Promise<string | undefined> {
    await this.pending;
    const t = (await this.repo.query({ action: 'session.renamed', session_id: sessionId, limit: 1 }))[0];
    const title = t ? (JSON.parse(t.detail) as { title?: unknown }).title : undefined;
    return typeof title === 'string' ? title : undefined;
  }

  /**
   * Records the session events: sessions created, resumed and ended, and every
   * permission decision. The actor is the session's owner (only the owner uses a session),
   * or whoever ended it (an admin may); what the server does by itself (idle, duration,
   * a failed resume, a timed-out question) is the system's.
   */
  observe(manager: SessionEventSource): void {
    manager.on('created', ({ session_id, user_id, source, cwd }) =>
      this.record({ actor_user_id: user_id, action: 'session.created', session_id, detail: { source, cwd } }),
    );
    manager.on('resumed', ({ session_id, user_id }) => this.record({ actor_user_id: user_id, action: 'session.resumed', session_id }));
    manager.on('ended', (e) =>
      this.record({
        actor_user_id: e.actor_user_id ?? SYSTEM_ACTOR,
        action: 'session.destroyed',
        target_user_id: e.user_id,
        session_id: e.session_id,
        detail: { reason: e.reason },
      }),
    );
    manager.on('permission', (d) =>
      this.record({
        actor_user_id: d.outcome === 'timeout' || d.outcome === 'cancelled' || d.outcome === 'by_mode' ? SYSTEM_ACTOR : d.user_id,
        action: 'permission.decided',
        target_user_id: d.user_id,
        session_id: d.session_id,
        detail: {
          tool: d.tool,
          input: summarizeToolInput(d.tool, d.input),
          decision: d.outcome,
          ...(d.request_id ? { request_id: d.request_id } : {}),
        },
      }),
    );
  }
}
