// Measures the core figures of the closing notes on a real server and real CLIs:
// cold and pool-hit create -> ready, first delta of a later turn, server and idle
// session RSS, and one monitor sweep at N sessions. Usage: tsx scripts/measure-core.ts [sessions]

import { treeRss } from '../src/core/cli/process-tree.js';
import { startHarness } from '../test/helpers/harness.js';

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)] ?? Number.NaN;
const N = Number(process.argv[2] ?? 50);

async function main() {
  const h = await startHarness({ MAX_SESSIONS: String(N + 5), PREWARM_POOL_SIZE: '1', MONITOR_INTERVAL_SECONDS: '3600' });
  const c = await h.client();
  const pool = h.built.pool;
  const waitPool = async () => {
    while (pool.depth() < 1) await new Promise((r) => setTimeout(r, 20));
  };
  const hit: number[] = [];
  const cold: number[] = [];
  for (let i = 0; i < 10; i++) {
    await waitPool();
    const t0 = performance.now();
    const id = await c.createSession();
    hit.push(performance.now() - t0);
    await h.api('DELETE', `/api/v1/sessions/${id}`);
  }
  await waitPool();
  const poolRss = pool.pids().map((p) => treeRss(p) / 1048576);
  await h.close();
  // cold starts, and everything after, on a server without a pool (no refill competes for CPU)
  const h2 = await startHarness({ MAX_SESSIONS: String(N + 5), PREWARM_POOL_SIZE: '0', MONITOR_INTERVAL_SECONDS: '3600' });
  const c2 = await h2.client();
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    const id = await c2.createSession();
    cold.push(performance.now() - t0);
    await h2.api('DELETE', `/api/v1/sessions/${id}`);
  }
  // first delta of a later turn
  const id = await c2.createSession();
  h2.model.enqueue(id, { kind: 'text', text: 'warm-up' });
  await c2.turn(id, 'first');
  const later: number[] = [];
  for (let i = 0; i < 10; i++) {
    h2.model.enqueue(id, { kind: 'text', text: 'hello there', chunks: 2 });
    const t0 = performance.now();
    c2.send({ type: 'user_message', session_id: id, text: `turn ${i}` });
    await c2.next('stream_delta');
    later.push(performance.now() - t0);
    await c2.next('response_complete');
  }
  const idlePid = (await h2.api('GET', `/api/v1/sessions/${id}`)).body.subprocess_pid as number;
  const sessionRss = treeRss(idlePid) / 1048576;
  const serverRss = process.memoryUsage().rss / 1048576;
  // monitor sweep at 10 and N sessions
  const sweeps: Record<number, number> = {};
  const reads: Record<number, number> = {};
  for (const target of [10, N]) {
    while (h2.built.manager.liveSessions().length < target) {
      const batch = Math.min(4, target - h2.built.manager.liveSessions().length);
      await Promise.all(Array.from({ length: batch }, () => h2.api('POST', '/api/v1/sessions', {})));
    }
    const m = h2.built.monitor;
    m.sweepMs.length = 0;
    m.readMs.length = 0;
    for (let i = 0; i < 20; i++) await m.sweep();
    reads[target] = median(m.readMs);
    const t = [...m.sweepMs];
    sweeps[target] = median(t);
  }
  const out = {
    create_ready_pool_hit_ms: median(hit),
    create_ready_cold_ms: median(cold),
    later_turn_first_delta_ms: median(later),
    idle_session_rss_mb: sessionRss,
    pooled_idle_rss_mb: poolRss,
    server_rss_mb_in_test_process: serverRss,
    monitor_sweep_blocking_ms: sweeps,
    monitor_sweep_async_read_wall_ms: reads,
  };
  console.log(JSON.stringify(out, null, 2));
  await h2.close();
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
