// The replicas' coordination for this server: on PostgreSQL, leases and the replica channel on a
// small pool of their own (LISTEN holds one connection); on SQLite, one host, nothing to coordinate.
// Built before the repositories (they take its fence), started once the session manager exists.
import type { Logger } from 'pino';
import postgres from 'postgres';
import type { Config } from '../../config/config.js';
import type { FenceProvider } from '../../db/leases.js';
import { PgLeaseRepository } from '../../db/postgres/lease-repository.js';
import { ReplicaBus } from './replica-bus.js';
import { type ManagedSessions, Replicas } from './replicas.js';
import { oneHostLeases, SharedLeases } from './session-leases.js';

export interface OpenedReplicas {
  replicas: Replicas;
  /** For the PostgreSQL repositories (undefined on one host). */
  fence: FenceProvider | undefined;
  /** Starts renewing and listening (a restarted replica first lets its last run's leases go). */
  start(sessions: ManagedSessions): Promise<void>;
  /** Lets every lease go, stops listening, closes its connections. */
  close(): Promise<void>;
}

export function createReplicas(
  config: Pick<Config, 'postgresUrl' | 'replicaId' | 'sessionLeaseSeconds' | 'modelTimeoutSeconds'>,
  log: Logger,
): OpenedReplicas {
  const waitMs = (config.modelTimeoutSeconds + 2 * config.sessionLeaseSeconds) * 1000;
  if (!config.postgresUrl) {
    const replicas = new Replicas({ leases: oneHostLeases(config.replicaId), log, handoverWaitMs: waitMs });
    return { replicas, fence: undefined, start: (s) => replicas.attach(s), close: () => replicas.close() };
  }
  const sql = postgres(config.postgresUrl, { max: 2, onnotice: () => {} });
  const repo = new PgLeaseRepository(sql);
  const leases = new SharedLeases({ repo, replicaId: config.replicaId, ttlSeconds: config.sessionLeaseSeconds, log });
  const bus = new ReplicaBus(sql, config.replicaId, log);
  const replicas = new Replicas({ leases, bus, log, handoverWaitMs: waitMs });
  return {
    replicas,
    fence: leases.fence,
    async start(sessions) {
      const stale = await repo.releaseAll(config.replicaId);
      if (stale > 0) log.info({ leases: stale }, "leases of this replica's last run let go");
      await replicas.attach(sessions);
    },
    async close() {
      await replicas.close().catch((err: unknown) => log.warn({ err }, 'closing the replica leases failed'));
      await sql.end({ timeout: 2 });
    },
  };
}
