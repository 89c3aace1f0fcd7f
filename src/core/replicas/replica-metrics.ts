// The replicas view in /metrics: one series per replica (as of this replica's last heartbeat), so
// any replica's scrape shows the whole deployment. Replica rows are pruned, so the label set stays
// as small as the deployment's recent pods.
import { Gauge, type Registry } from 'prom-client';
import type { ReplicaRow } from '../../protocol/replicas.js';

export function registerReplicaMetrics(registry: Registry, rows: () => ReplicaRow[]): void {
  const perReplica = (name: string, help: string, value: (r: ReplicaRow) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['replica_id'],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of rows()) this.set({ replica_id: r.replica_id }, value(r));
      },
    });
  perReplica('csp_replica_live_processes', 'Sessions whose CLI process runs on each replica', (r) => r.live_processes);
  perReplica('csp_replica_max_sessions', 'MAX_SESSIONS of each replica', (r) => r.max_sessions);
  perReplica('csp_replica_pool_depth', 'Warm CLI processes ready on each replica', (r) => r.pool_depth);
  perReplica('csp_replica_draining', '1 while a replica drains (stopping)', (r) => (r.draining ? 1 : 0));
  perReplica('csp_replica_stale', '1 when a replica has not reported for SESSION_LEASE_SECONDS', (r) => (r.stale ? 1 : 0));
  perReplica('csp_replica_seen_seconds_ago', 'Seconds since each replica last reported (database clock)', (r) => r.seen_seconds_ago);
}
