// Prometheus metrics (prom-client), one registry per app so tests never share counters.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly monitorActions = new Counter({
    name: 'csp_monitor_actions_total',
    help: 'Actions taken by the subprocess monitor',
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
  readonly turns = new Counter({
    name: 'csp_turns_total',
    help: 'Chat turns ended, by outcome (complete, interrupted, error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(gauges: {
    activeSessions: () => number;
    liveProcesses: () => number;
    dormantSessions: () => number;
    poolDepth: () => number;
  }) {
    collectDefaultMetrics({ register: this.registry, prefix: 'csp_' });
    for (const outcome of ['complete', 'interrupted', 'error'] as const) this.turns.inc({ outcome }, 0);
    new Gauge({
      name: 'csp_sessions_active',
      help: 'Sessions holding a capacity slot',
      registers: [this.registry],
      collect() {
        this.set(gauges.activeSessions());
      },
    });
    new Gauge({
      name: 'csp_session_processes_live',
      help: 'Sessions whose CLI process is running',
      registers: [this.registry],
      collect() {
        this.set(gauges.liveProcesses());
      },
    });
    new Gauge({
      name: 'csp_sessions_dormant',
      help: 'Sessions whose process was released to make room (they resume on their next message)',
      registers: [this.registry],
      collect() {
        this.set(gauges.dormantSessions());
      },
    });
    new Gauge({
      name: 'csp_pool_depth',
      help: 'Warm processes ready in the pre-warm pool',
      registers: [this.registry],
      collect() {
        this.set(gauges.poolDepth());
      },
    });
  }
}
