// Replicas: what each replica of one database reports about itself (on /health/ready, in the
// replicas view for admins, in /metrics). Browser-safe like the rest of the protocol.
import { z } from 'zod';

/** One replica's figures; MAX_SESSIONS and the pre-warm pool are per replica. */
export const ReplicaFigures = z.object({
  replica_id: z.string().describe('REPLICA_ID: the host or pod name unless configured'),
  live_processes: z.number().int().nonnegative().describe('Sessions whose CLI process runs on this replica'),
  max_sessions: z.number().int().positive().describe('MAX_SESSIONS of this replica'),
  pool_depth: z.number().int().nonnegative().describe('Warm CLI processes ready on this replica'),
  draining: z.boolean().describe('Stopping: no new sessions or sockets, turns in flight finish'),
});
export type ReplicaFigures = z.infer<typeof ReplicaFigures>;

/** A replica as the replicas view shows it: its last report, by the database's clock. */
export const ReplicaRow = ReplicaFigures.extend({
  last_seen: z.string().describe('When it last reported (ISO 8601, the database clock)'),
  seen_seconds_ago: z.number().nonnegative().describe('Seconds since then, by the database clock'),
  stale: z.boolean().describe('No report for SESSION_LEASE_SECONDS: stopped without saying so, cut off or paused (rows go after an hour)'),
});
export type ReplicaRow = z.infer<typeof ReplicaRow>;

export const ReplicaListResponse = z.object({
  this_replica: z.string().describe('The replica that answered'),
  replicas: z.array(ReplicaRow).describe('Every replica of this database that reported in the last hour, by replica_id'),
});
export type ReplicaListResponse = z.infer<typeof ReplicaListResponse>;
