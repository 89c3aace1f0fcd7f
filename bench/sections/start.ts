// 2. Session start: create_session -> session_ready, from the pool and cold.
import { BenchClient } from '../lib/client.js';
import type { BenchConfig } from '../lib/config.js';
import type { ServerProc } from '../lib/procs.js';
import { dist, round, sleep } from '../lib/util.js';
import { waitPool } from './overhead.js';

export async function startPool(cfg: BenchConfig, server: ServerProc, log: (s: string) => void) {
  const c = await BenchClient.connect(server.wsUrl, server.key);
  const hit: number[] = [];
  const refill: number[] = [];
  const destroy: number[] = [];
  const sources: string[] = [];
  const firstTurn: number[] = [];
  for (let i = 0; i < cfg.startSamples; i++) {
    const waited = await waitPool(server);
    if (i > 0) refill.push(waited);
    await sleep(300);
    const r = await c.create();
    hit.push(r.ms);
    sources.push(r.source);
    const ft = await c.turn(r.id, 'say: first turn', 60_000);
    if (ft.ok) firstTurn.push(ft.firstDeltaMs);
    const t = performance.now();
    await c.destroy(r.id);
    destroy.push(performance.now() - t);
  }
  await c.close();
  const out = {
    samples: cfg.startSamples,
    pool_hit_ms: dist(hit),
    all_pre_warmed: sources.every((s) => s === 'pre-warmed'),
    /** The first turn of a pooled process: send -> first delta (later turns are faster). */
    first_turn_first_delta_ms: dist(firstTurn),
    /** After a take, how long until the pool had a warm process again (the destroy ran meanwhile). */
    refill_wait_after_destroy_ms: dist(refill),
    destroy_ms: dist(destroy),
  };
  log(`  pool hit p50 ${out.pool_hit_ms.p50} ms (max ${out.pool_hit_ms.max}); refill wait p50 ${out.refill_wait_after_destroy_ms.p50} ms`);
  return out;
}

export async function startCold(cfg: BenchConfig, server: ServerProc, log: (s: string) => void) {
  const c = await BenchClient.connect(server.wsUrl, server.key);
  const cold: number[] = [];
  const sources: string[] = [];
  const firstTurn: number[] = [];
  for (let i = 0; i < cfg.startSamples; i++) {
    await sleep(300);
    const r = await c.create();
    cold.push(r.ms);
    sources.push(r.source);
    const ft = await c.turn(r.id, 'say: first turn', 60_000);
    if (ft.ok) firstTurn.push(ft.firstDeltaMs);
    await c.destroy(r.id);
  }
  await c.close();
  const out = {
    samples: cfg.startSamples,
    cold_ms: dist(cold),
    all_cold: sources.every((s) => s === 'cold'),
    first_turn_first_delta_ms: dist(firstTurn),
  };
  log(`  cold start p50 ${out.cold_ms.p50} ms (max ${round(out.cold_ms.max)})`);
  return out;
}
