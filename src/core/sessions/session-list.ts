// The session list: every stored session, newest first, with the fresher summary
// of the ones held in memory; pages of it behind an opaque cursor.
import type { ListCursor, SessionMetadata, SessionRepository } from '../../db/ports.js';
import type { SessionSummary } from '../../protocol/messages.js';
import { summaryOf } from './session.js';
import type { SessionRegistry } from './session-registry.js';

export class SessionList {
  constructor(
    private readonly repo: SessionRepository,
    private readonly registry: SessionRegistry,
  ) {}

  /** Every session, newest first; only one user's with `userId`. */
  async all(userId?: string): Promise<SessionSummary[]> {
    const rows = await this.repo.listAll(userId);
    const live = new Map<string, SessionSummary>();
    for (const s of this.registry.values()) live.set(s.id, s.summary());
    return rows.map((m) => live.get(m.session_id) ?? summaryOf(m));
  }

  /** A page of the list, newest first, after `cursor`; one user's only with `userId`. */
  async page(opts: { limit: number; cursor?: ListCursor | undefined; userId?: string | undefined; archived?: boolean }): Promise<{
    sessions: SessionSummary[];
    next: ListCursor | null;
  }> {
    const rows = await this.repo.listPage({ ...opts, limit: opts.limit + 1 });
    const more = rows.length > opts.limit;
    const page = rows.slice(0, opts.limit);
    const last = page.at(-1);
    return {
      sessions: page.map((m) => this.summary(m)),
      next: more && last ? { last_active_at: last.last_active_at, session_id: last.session_id } : null,
    };
  }

  /** The summary of a stored row, from its session in memory when it is there (fresher). */
  summary(m: SessionMetadata): SessionSummary {
    const s = this.registry.peek(m.session_id)?.summary() ?? summaryOf(m);
    // The stored row knows whether it is archived (the session in memory does not carry it).
    return m.archived_at ? { ...s, archived: true } : s;
  }
}
