// The agent jail's cost (issue 17): the same measures with AGENT_JAIL=on and off, in one run,
// samples alternating between the two servers so load drifts hit both alike. Ratios on/off:
// pre-warmed create (pool hit) unchanged, cold create at most +100 ms, first delta unchanged.
import { BenchClient } from '../lib/client.js';
import type { BenchConfig } from '../lib/config.js';
import { type ServerProc, startServer } from '../lib/procs.js';
import { dist, round, sleep } from '../lib/util.js';
import { waitPool } from './overhead.js';

type Mode = 'on' | 'off';
const MODES: Mode[] = ['on', 'off'];

interface Samples {
  create: number[];
  firstDelta: number[];
  secondDelta: number[];
}

async function sample(server: ServerProc, c: BenchClient, s: Samples, pooled: boolean): Promise<string> {
  if (pooled) await waitPool(server);
  await sleep(300);
  const r = await c.create();
  s.create.push(r.ms);
  const t1 = await c.turn(r.id, 'say: first turn', 60_000);
  if (t1.ok) s.firstDelta.push(t1.firstDeltaMs);
  const t2 = await c.turn(r.id, 'say: second turn', 60_000);
  if (t2.ok) s.secondDelta.push(t2.firstDeltaMs);
  await c.destroy(r.id);
  return r.source;
}

async function pair(cfg: BenchConfig, modelUrl: string, pool: number, log: (s: string) => void) {
  const servers = {} as Record<Mode, ServerProc>;
  const clients = {} as Record<Mode, BenchClient>;
  const samples = {} as Record<Mode, Samples>;
  const sources: string[] = [];
  try {
    for (const m of MODES) {
      servers[m] = await startServer(modelUrl, { AGENT_JAIL: m, PREWARM_POOL_SIZE: String(pool) });
      clients[m] = await BenchClient.connect(servers[m].wsUrl, servers[m].key);
      samples[m] = { create: [], firstDelta: [], secondDelta: [] };
    }
    for (let i = 0; i < cfg.startSamples; i++)
      for (const m of i % 2 === 0 ? MODES : [...MODES].reverse()) sources.push(await sample(servers[m], clients[m], samples[m], pool > 0));
  } finally {
    for (const m of MODES) {
      await clients[m]?.close();
      await servers[m]?.stop();
    }
  }
  const d = (m: Mode) => ({
    create_ms: dist(samples[m].create),
    first_turn_first_delta_ms: dist(samples[m].firstDelta),
    second_turn_first_delta_ms: dist(samples[m].secondDelta),
  });
  const on = d('on');
  const off = d('off');
  const ratio = (a: { p50: number }, b: { p50: number }) => round(a.p50 / b.p50, 2);
  const out = {
    on,
    off,
    all_sources: [...new Set(sources)],
    create_ratio_p50: ratio(on.create_ms, off.create_ms),
    create_added_ms_p50: round(on.create_ms.p50 - off.create_ms.p50, 1),
    first_delta_ratio_p50: ratio(on.first_turn_first_delta_ms, off.first_turn_first_delta_ms),
    second_delta_ratio_p50: ratio(on.second_turn_first_delta_ms, off.second_turn_first_delta_ms),
  };
  log(
    `  ${pool > 0 ? 'pre-warmed' : 'cold'} create p50 on ${on.create_ms.p50} / off ${off.create_ms.p50} ms (ratio ${out.create_ratio_p50}, +${out.create_added_ms_p50} ms); first delta ratio ${out.first_delta_ratio_p50}, second turn ${out.second_delta_ratio_p50}`,
  );
  return out;
}

export async function jail(cfg: BenchConfig, modelUrl: string, log: (s: string) => void) {
  return { pre_warmed: await pair(cfg, modelUrl, 1, log), cold: await pair(cfg, modelUrl, 0, log) };
}
