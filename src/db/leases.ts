// Fencing (issue 21 item 4): with several replicas on one PostgreSQL, a session is written only by the
// replica holding its lease. A repository that writes a session's rows asks the fence provider, at the
// moment of the write, who this replica is and which epoch of the lease it holds; the write carries both
// and the database checks them in the same statement (db/postgres/fence-sql.ts), so a replica that was
// paused or cut off and lost its lease writes nothing, whatever it still believes.
// SQLite serves one host: nothing to fence, no provider.

/**
 * Who writes a session's rows: this replica, and the epoch of the lease it holds on the session (it
 * grows each time the lease changes hands). With an epoch the write passes only while that lease is
 * still this owner's at this epoch, unexpired by the database's clock. `epoch: null` (this replica
 * holds no lease on it): only while no other replica holds a live lease on it (a dormant session
 * renamed, a fork written before its first use, the last rows of a session being let go).
 */
export interface SessionFence {
  owner: string;
  epoch: number | null;
}

/** This replica's fence for a session's writes, at the moment of the write. */
export type FenceProvider = (sessionId: string) => SessionFence;

/** A lease as the database holds it. */
export interface LeaseRow {
  session_id: string;
  owner: string;
  epoch: number;
  /** By the database's clock. */
  expires_at: Date;
}

/**
 * The lease table (`session_leases`: session_id, owner, epoch, expires_at). Every expiry is computed
 * by the database's clock (`now()`), never a replica's. A released lease keeps its row and epoch
 * (expired), so epochs only grow.
 */
export interface LeaseRepository {
  /**
   * Takes the lease when it is free or expired (epoch + 1), or keeps it when `owner` holds it already
   * (same epoch, expiry pushed): one statement. Undefined when another owner holds a live lease.
   */
  acquire(sessionId: string, owner: string, ttlSeconds: number): Promise<LeaseRow | undefined>;
  /** The lease on a session, if it was ever held. */
  get(sessionId: string): Promise<LeaseRow | undefined>;
  /** Pushes the expiry of every live lease `owner` holds among `sessionIds`, in one statement; returns those kept. */
  renew(owner: string, sessionIds: string[], ttlSeconds: number): Promise<LeaseRow[]>;
  /** Ends `owner`'s lease at `epoch` now (another replica may take it at once). False when it was not held. */
  release(sessionId: string, owner: string, epoch: number): Promise<boolean>;
  /** Ends every lease `owner` holds (a replica starting again: its last run's leases are void). */
  releaseAll(owner: string): Promise<number>;
  /** Of these sessions, those whose lease (live or not) was last another owner's than `owner`. */
  othersOf(owner: string, sessionIds: string[]): Promise<Set<string>>;
  /** The leases held now, by owner (the replicas view). */
  liveCountsByOwner(): Promise<Map<string, number>>;
}
