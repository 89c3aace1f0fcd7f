// What replicas tell each other (issue 21 item 5), over PostgreSQL LISTEN/NOTIFY on one channel:
// a session's summary changed (its owner's sockets on every replica hear session_updated), a
// replica asks the holder of a session to hand it over, a lease was let go (whoever waits for it
// tries at once). The `postgres` driver listens again by itself after a reconnect; notifications
// sent meanwhile are lost, so a reconnect is reported and clients are sent their list again.
import type { Logger } from 'pino';
import type { Sql } from 'postgres';
import type { FenceProvider } from '../../db/leases.js';
import { fenceCondition } from '../../db/postgres/fence-sql.js';
import type { SessionSummary } from '../../protocol/messages.js';

export const REPLICA_CHANNEL = 'csp_replicas';

export type ReplicaMessage =
  /** A session's summary changed on replica `by`. */
  | { t: 'updated'; by: string; session: SessionSummary }
  /** Replica `by` has a message for the session: its holder lets it go at the end of its turn. */
  | { t: 'handover'; by: string; session_id: string }
  /** Replica `by` let the session's lease go. */
  | { t: 'released'; by: string; session_id: string };

export interface ReplicaBusHandlers {
  /** A message from another replica (this replica's own are not echoed). */
  message(m: ReplicaMessage): void;
  /** Listening again after the connection was lost: what was sent meanwhile is missed. */
  relistened(): void;
}

/** A NOTIFY payload is at most 8000 bytes: a summary with a very long title is sent without it. */
const MAX_PAYLOAD = 7900;

export class ReplicaBus {
  private listening = 0;
  private unlisten: (() => Promise<void>) | null = null;

  constructor(
    private readonly sql: Sql,
    readonly replicaId: string,
    private readonly log: Logger,
  ) {}

  async start(h: ReplicaBusHandlers): Promise<void> {
    const r = await this.sql.listen(
      REPLICA_CHANNEL,
      (payload) => {
        let m: ReplicaMessage;
        try {
          m = JSON.parse(payload) as ReplicaMessage;
        } catch {
          return;
        }
        if (m.by !== this.replicaId) h.message(m);
      },
      () => {
        if (++this.listening > 1) {
          this.log.warn('replica channel listening again after a reconnect: clients get their lists again');
          h.relistened();
        }
      },
    );
    this.unlisten = r.unlisten;
  }

  /**
   * Best effort: a lost notification costs a waiting replica its next poll, a client its next refresh.
   * `fence`: sent only while this replica may write the session (a summary from a replica that lost
   * its lease, paused past it, reaches nobody else).
   */
  send(m: ReplicaMessage, fence?: FenceProvider): void {
    let payload = JSON.stringify(m);
    if (payload.length > MAX_PAYLOAD && m.t === 'updated') payload = JSON.stringify({ ...m, session: { ...m.session, title: null } });
    const sent =
      fence && m.t === 'updated'
        ? this.sql`SELECT pg_notify(${REPLICA_CHANNEL}, ${payload}) WHERE ${fenceCondition(this.sql, m.session.session_id, fence)}`
        : this.sql.notify(REPLICA_CHANNEL, payload);
    sent.catch((err: unknown) => this.log.warn({ err, t: m.t }, 'replica notification failed'));
  }

  async close(): Promise<void> {
    await this.unlisten?.().catch(() => {});
    this.unlisten = null;
  }
}
