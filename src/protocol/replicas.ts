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
