// The replicas view of this server, assembled: its own figures (replica-status.ts), the heartbeat
// that stores them and reads everyone's (replica-heartbeat.ts), the per-replica series in /metrics.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../../config/config.js';
import type { ReplicaRepository } from '../../db/ports.js';
import type { ReplicaListResponse } from '../../protocol/replicas.js';
import { ReplicaHeartbeat } from './replica-heartbeat.js';
import { registerReplicaMetrics } from './replica-metrics.js';
import { type ReplicaStatus, type ReplicaStatusSources, replicaStatus } from './replica-status.js';

export interface ReplicaView {
  /** This replica's figures now (/health/ready). */
  status(): ReplicaStatus;
  /** Every replica of the database (GET /api/v1/replicas). */
  list(): Promise<ReplicaListResponse>;
  /** Reports now (a drain begins: the view shows it draining). */
  beat(): Promise<void>;
  /** Stops reporting; this replica's row goes. */
  stop(): Promise<void>;
}

export interface ReplicaViewDeps extends Omit<ReplicaStatusSources, 'replicaId' | 'maxSessions'> {
  repo: ReplicaRepository;
  config: Pick<Config, 'replicaId' | 'maxSessions' | 'sessionLeaseSeconds'>;
  log: Logger;
  registry: Registry;
}

export async function startReplicaView(d: ReplicaViewDeps): Promise<ReplicaView> {
  const { replicaId, maxSessions, sessionLeaseSeconds } = d.config;
  const status = () => replicaStatus({ ...d, replicaId, maxSessions });
  const heartbeat = new ReplicaHeartbeat({ repo: d.repo, status, leaseSeconds: sessionLeaseSeconds, log: d.log });
  await heartbeat.start();
  registerReplicaMetrics(d.registry, () => heartbeat.lastRows);
  return {
    status,
    list: async () => ({ this_replica: replicaId, replicas: await heartbeat.list() }),
    beat: () => heartbeat.beat(),
    stop: () => heartbeat.stop(),
  };
}
