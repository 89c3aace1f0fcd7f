// What one replica says about itself: its name, its CLI processes against its MAX_SESSIONS, its
// warm pool, and whether it is draining. /health/ready answers it, the heartbeat stores it for
// the replicas view, /metrics labels it.

/** This replica's figures as the health route, the heartbeat and /metrics report them. */
export interface ReplicaStatus {
  replica_id: string;
  /** Sessions whose CLI process runs here. */
  live_processes: number;
  max_sessions: number;
  pool_depth: number;
  /** Stopping: takes no new sessions or sockets, lets turns finish. */
  draining: boolean;
}

export interface ReplicaStatusSources {
  replicaId: string;
  maxSessions: number;
  liveProcesses: () => number;
  poolDepth: () => number;
  draining: () => boolean;
}

/** Reads the figures now (cheap: counters held in memory). */
export const replicaStatus = (s: ReplicaStatusSources): ReplicaStatus => ({
  replica_id: s.replicaId,
  live_processes: s.liveProcesses(),
  max_sessions: s.maxSessions,
  pool_depth: s.poolDepth(),
  draining: s.draining(),
});
