// /metrics: behind the key (X-API-Key or Bearer), and every platform metric moves when the thing
// it counts happens: a test that would catch a metric registered but never updated.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Harness, startHarness } from './helpers/harness.js';
import { TestClient } from './helpers/ws-client.js';

let h: Harness;
before(async () => {
  h = await startHarness({ PREWARM_POOL_SIZE: '1', MONITOR_INTERVAL_SECONDS: '3600', MEMORY_RESTART_GRACE_SECONDS: '60' });
});
after(async () => {
  await h.close();
});

const scrape = (headers: Record<string, string>) => fetch(`${h.url}/metrics`, { headers });

/** The value of one sample in the exposition text, or undefined. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}}` : `${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('metrics', () => {
  test('refused without the key or with a wrong one; accepted as X-API-Key or Bearer', async () => {
    assert.equal((await scrape({})).status, 401);
    assert.equal((await scrape({ Authorization: 'Bearer wrong-key-0123456789' })).status, 401);
    assert.equal((await scrape({ 'X-API-Key': 'wrong-key-0123456789' })).status, 401);
    assert.equal((await scrape({ Authorization: `Basic ${h.key}` })).status, 401);
    assert.equal((await scrape({ 'X-API-Key': h.key })).status, 200);
    const r = await scrape({ Authorization: `Bearer ${h.key}` });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
  });

  test('after a pool hit, a cold start, a turn, a restart, a destroy and refused keys, every family moved', async () => {
    const c = await h.client();
    const a = await c.createSession(); // the pool's warm process
    await h.built.pool.shutdown(); // from now on every create is cold
    const b = (await h.api('POST', '/api/v1/sessions', {})).body.session_id as string;
    h.model.enqueue(b, { kind: 'text', text: 'Hello there.' });
    await c.turn(b, 'hi');

    // A memory restart, as the monitor decides it (limit under the process's own RSS).
    const rssMb = (await h.api('GET', `/api/v1/sessions/${b}`)).body.rss_mb as number;
    const limit = h.built.config.maxSessionRssMb;
    h.built.config.maxSessionRssMb = Math.max(1, Math.floor(rssMb * 0.7));
    await h.built.monitor.sweep();
    await c.next('session_restarting', (f) => f.session_id === b);
    h.built.config.maxSessionRssMb = limit;
    await c.next('session_updated', (f) => f.session.session_id === b && f.session.status === 'idle');

    await h.api('DELETE', `/api/v1/sessions/${a}`);
    await h.api('GET', '/api/v1/sessions', undefined, null);
    const refused = await TestClient.connect(h.wsUrl, 'wrong-key-0123456789');
    await refused.whenClosed();
    await h.built.monitor.sweep();

    const text = await (await scrape({ Authorization: `Bearer ${h.key}` })).text();
    const self = `replica_id="${h.built.config.replicaId}"`;
    const moved: [string, string, (v: number) => boolean][] = [
      ['csp_session_create_seconds_count', 'source="pre-warmed"', (v) => v === 1],
      ['csp_session_create_seconds_count', 'source="cold"', (v) => v === 1],
      ['csp_pool_hits_total', '', (v) => v === 1],
      ['csp_pool_misses_total', '', (v) => v === 1],
      ['csp_first_delta_seconds_count', '', (v) => v === 1],
      ['csp_session_restarts_total', 'reason="memory_limit"', (v) => v >= 1],
      ['csp_monitor_actions_total', 'action="restart_memory"', (v) => v >= 1],
      ['csp_session_terminations_total', 'reason="user_requested"', (v) => v === 1],
      ['csp_sessions', 'status="terminated"', (v) => v === 1],
      ['csp_sessions', 'status="idle"', (v) => v === 1],
      ['csp_sessions_active', '', (v) => v === 1],
      ['csp_pool_depth', '', (v) => v === 0],
      ['csp_ws_connections', '', (v) => v === 1],
      ['csp_auth_failures_total', 'transport="http"', (v) => v >= 1],
      ['csp_auth_failures_total', 'transport="websocket"', (v) => v === 1],
      ['csp_session_rss_bytes', `session_id="${b}"`, (v) => v > 0],
      ['csp_sessions_rss_bytes', '', (v) => v > 0],
      ['csp_monitor_sweep_seconds_count', '', (v) => v >= 2],
      ['csp_turns_total', 'outcome="complete"', (v) => v === 1],
      ['csp_user_turns_total', 'user_id="default"', (v) => v === 1],
      ['csp_user_cost_usd_total', 'user_id="default"', (v) => v > 0],
      ['csp_session_processes_live', '', (v) => v === 1],
      ['csp_sessions_dormant', '', (v) => v === 0],
      // The replicas view: this replica's row as of its last heartbeat.
      ['csp_replica_max_sessions', self, (v) => v === h.built.config.maxSessions],
      ['csp_replica_live_processes', self, (v) => v >= 0],
      ['csp_replica_pool_depth', self, (v) => v >= 0],
      ['csp_replica_draining', self, (v) => v === 0],
      ['csp_replica_stale', self, (v) => v === 0],
      ['csp_replica_seen_seconds_ago', self, (v) => v >= 0],
    ];
    for (const [name, labels, ok] of moved) {
      const v = sample(text, name, labels);
      assert.ok(v !== undefined && ok(v), `${name}{${labels}} = ${v}`);
    }
    // Every platform family (not the process defaults) is one of the above.
    const families = (await h.built.metrics.registry.getMetricsAsJSON())
      .map((m) => m.name)
      .filter((n) => !n.startsWith('csp_process_') && !n.startsWith('csp_nodejs_'));
    const checked = new Set(moved.map(([n]) => n.replace(/_count$/, '')));
    for (const f of families) assert.ok(checked.has(f), `${f} is not checked by this test`);
    await c.close();
  });
});

describe('Grafana dashboard', () => {
  test('every metric it queries exists', async () => {
    const fs = await import('node:fs');
    const dash = JSON.parse(fs.readFileSync(new URL('../deploy/grafana/claude-sdk-pattern.json', import.meta.url), 'utf8')) as {
      panels: { targets: { expr: string }[] }[];
    };
    const known = new Set((await h.built.metrics.registry.getMetricsAsJSON()).map((m) => m.name));
    const used = dash.panels.flatMap((p) => p.targets.flatMap((t) => t.expr.match(/csp_\w+/g) ?? []));
    assert.ok(used.length > 10);
    for (const name of used) assert.ok(known.has(name.replace(/_(bucket|count|sum)$/, '')), `${name} is not a metric`);
  });
});
