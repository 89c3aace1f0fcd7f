// Prometheus metrics (prom-client), one registry per app so tests never share counters.
// Most are fed by observe(): it subscribes to the session manager's events, so core code
// emits what happened and never calls metrics itself.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { SessionStatus } from '../../protocol/messages.js';
import type { SessionEventSource } from '../sessions/lifecycle-events.js';

/** What the gauges read at scrape time. */
export interface MetricsSources {
  activeSessions: () => number;
  liveProcesses: () => number;
  dormantSessions: () => number;
  poolDepth: () => number;
  sessionsByStatus: () => Promise<Partial<Record<SessionStatus, number>>>;
  wsConnections: () => number;
}

const LATENCY_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

export class Metrics {
  readonly registry = new Registry();
  readonly monitorActions = new Counter({
    name: 'csp_monitor_actions_total',
    help: 'Actions taken by the subprocess monitor (cleanup_orphan = orphan reaps)',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });
  readonly sweepSeconds = new Histogram({
    name: 'csp_monitor_sweep_seconds',
    help: 'Time one monitor sweep blocked the event loop (its /proc reads are asynchronous)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });
  readonly sessionsRss = new Gauge({
    name: 'csp_sessions_rss_bytes',
    help: 'Resident memory of all session process trees at the last sweep',
    registers: [this.registry],
  });
  readonly sessionRss = new Gauge({
    name: 'csp_session_rss_bytes',
    help: 'Resident memory of one session process tree at the last sweep',
    labelNames: ['session_id'] as const,
    registers: [this.registry],
  });
  readonly turns = new Counter({
    name: 'csp_turns_total',
    help: 'Chat turns ended, by outcome (complete, interrupted, error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  /** Per user (bounded: user ids are created by admins or the identity provider, never by input). */
  readonly userTurns = new Counter({
    name: 'csp_user_turns_total',
    help: 'Chat turns ended, by user',
    labelNames: ['user_id'] as const,
    registers: [this.registry],
  });
  readonly userCost = new Counter({
    name: 'csp_user_cost_usd_total',
    help: 'Cost of ended turns in USD (as the CLI reports it), by user',
    labelNames: ['user_id'] as const,
    registers: [this.registry],
  });
  readonly sessionCreateSeconds = new Histogram({
    name: 'csp_session_create_seconds',
    help: 'Time to create a session, by source (pre-warmed = pool hit, cold = pool miss)',
    labelNames: ['source'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly firstDeltaSeconds = new Histogram({
    name: 'csp_first_delta_seconds',
    help: 'Time from a user message to the first streamed text of the answer',
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly poolHits = new Counter({
    name: 'csp_pool_hits_total',
    help: 'Sessions created from a warm process',
    registers: [this.registry],
  });
  readonly poolMisses = new Counter({
    name: 'csp_pool_misses_total',
    help: 'Sessions that had to start a process cold',
    registers: [this.registry],
  });
  readonly restarts = new Counter({
    name: 'csp_session_restarts_total',
    help: 'Session process restarts (conversation kept), by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly terminations = new Counter({
    name: 'csp_session_terminations_total',
    help: 'Sessions ended, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'csp_auth_failures_total',
    help: 'Requests refused for a missing or wrong API key, by transport',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry, prefix: 'csp_' });
    for (const outcome of ['complete', 'interrupted', 'error'] as const) this.turns.inc({ outcome }, 0);
    new Gauge({
      name: 'csp_sessions_active',
      help: 'Sessions holding a capacity slot',
      registers: [this.registry],
      collect() {
        this.set(sources.activeSessions());
      },
    });
    new Gauge({
      name: 'csp_sessions',
      help: 'Sessions by status (terminated ones included, from the database)',
      labelNames: ['status'] as const,
      registers: [this.registry],
      // prom-client awaits an async collect before it renders the scrape
      async collect() {
        const byStatus = await sources.sessionsByStatus();
        this.reset();
        for (const [status, n] of Object.entries(byStatus)) this.set({ status }, n ?? 0);
      },
    });
    new Gauge({
      name: 'csp_session_processes_live',
      help: 'Sessions whose CLI process is running',
      registers: [this.registry],
      collect() {
        this.set(sources.liveProcesses());
      },
    });
    new Gauge({
      name: 'csp_sessions_dormant',
      help: 'Sessions whose process was released to make room (they resume on their next message)',
      registers: [this.registry],
      collect() {
        this.set(sources.dormantSessions());
      },
    });
    new Gauge({
      name: 'csp_pool_depth',
      help: 'Warm processes ready in the pre-warm pool',
      registers: [this.registry],
      collect() {
        this.set(sources.poolDepth());
      },
    });
    new Gauge({
      name: 'csp_ws_connections',
      help: 'Open WebSocket connections',
      registers: [this.registry],
      collect() {
        this.set(sources.wsConnections());
      },
    });
  }

  /**
   * The transcript mirror's figures (DATABASE_URL=postgres://…), registered only when it runs:
   * failed writes to the store (each SDK attempt and each repair attempt; `fenced`: refused because
   * another replica holds the lease), repairs, and transcripts waiting for one.
   */
  transcriptMirror(pending: () => number): { failed(reason: 'error' | 'fenced'): void; repaired(): void } {
    const failures = new Counter({
      name: 'csp_transcript_mirror_failures_total',
      help: 'Transcript writes to the shared store that failed, by reason (error, fenced)',
      labelNames: ['reason'] as const,
      registers: [this.registry],
    });
    for (const reason of ['error', 'fenced'] as const) failures.inc({ reason }, 0);
    const repairs = new Counter({
      name: 'csp_transcript_mirror_repairs_total',
      help: 'Transcripts copied to the shared store again from the local file after a failed write',
      registers: [this.registry],
    });
    new Gauge({
      name: 'csp_transcript_mirror_repairs_pending',
      help: 'Transcripts whose mirror failed and is not repaired yet',
      registers: [this.registry],
      collect() {
        this.set(pending());
      },
    });
    return { failed: (reason) => failures.inc({ reason }), repaired: () => repairs.inc() };
  }

  /** A turn of `userId`'s ended, costing `costUsd`. */
  userTurn(userId: string, costUsd: number): void {
    this.userTurns.inc({ user_id: userId });
    this.userCost.inc({ user_id: userId }, Math.max(0, costUsd));
  }

  /** Feeds the event-driven metrics from the session events. */
  observe(manager: SessionEventSource): void {
    const turnStarted = new Map<string, number>();
    manager.on('created', ({ source, seconds }) => {
      this.sessionCreateSeconds.observe({ source }, seconds);
      (source === 'pre-warmed' ? this.poolHits : this.poolMisses).inc();
    });
    manager.on('event', (ev) => {
      switch (ev.type) {
        case 'turn_started':
          turnStarted.set(ev.session_id, performance.now());
          break;
        case 'stream_delta': {
          const t0 = turnStarted.get(ev.session_id);
          if (t0 !== undefined) {
            this.firstDeltaSeconds.observe((performance.now() - t0) / 1000);
            turnStarted.delete(ev.session_id);
          }
          break;
        }
        case 'response_complete':
        case 'stream_error':
        case 'stream_interrupted':
          turnStarted.delete(ev.session_id);
          break;
        case 'session_restarting':
          this.restarts.inc({ reason: ev.reason });
          break;
        case 'session_terminated':
          turnStarted.delete(ev.session_id);
          this.terminations.inc({ reason: ev.reason });
          break;
      }
    });
  }
}
