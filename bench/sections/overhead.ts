// 1. Overhead vs the bare SDK: first-delta latency of a pre-warmed platform
// session over the WebSocket against a pre-warmed bare SDK session, alternating turns.
import { BareSession } from '../lib/bare.js';
import type { BenchClient } from '../lib/client.js';
import type { BenchConfig } from '../lib/config.js';
import type { ServerProc } from '../lib/procs.js';
import { cpuOf, dist, median, quantile, round, sleep, treeCpu } from '../lib/util.js';

export async function waitPool(server: ServerProc, depth = 1, timeoutMs = 60_000): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    const r = await server.api('GET', '/api/v1/health/ready');
    if ((r.body?.pool_depth ?? 0) >= depth) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error('pool did not fill');
    await sleep(25);
  }
}

export async function overhead(cfg: BenchConfig, server: ServerProc, client: BenchClient, modelUrl: string, log: (s: string) => void) {
  await waitPool(server);
  await sleep(500); // let the parked process finish its post-init work
  const created = await client.create();
  const detail = await server.api('GET', `/api/v1/sessions/${created.id}`);
  const platformPid = detail.body.subprocess_pid as number;
  const bare = await BareSession.start(modelUrl);
  await sleep(500);
  log(`  platform session ${created.source} in ${round(created.ms)} ms; bare startup() ${round(bare.startMs)} ms`);

  const firstBare = await bare.turn('say: first turn of the bare session');
  const firstPlat = await client.turn(created.id, 'say: first turn of the platform session');

  const b: number[] = [];
  const p: number[] = [];
  const bTotal: number[] = [];
  const pTotal: number[] = [];
  let failures = 0;
  const srv0 = cpuOf(server.pid)?.self ?? 0;
  let driverCpuUs = 0;
  const pc0 = treeCpu(platformPid);
  const bc0 = treeCpu(bare.pid);
  for (let i = 0; i < cfg.overheadTurns; i++) {
    // alternate which goes first, so neither side always runs right after the other
    const order = i % 2 === 0 ? ['bare', 'platform'] : ['platform', 'bare'];
    for (const side of order) {
      const text = `say: turn ${i} answer ${'x'.repeat(40)}`;
      if (side === 'bare') {
        const u0 = process.cpuUsage();
        const r = await bare.turn(text);
        const u = process.cpuUsage(u0);
        driverCpuUs += u.user + u.system;
        if (!r.ok || !Number.isFinite(r.firstDeltaMs)) failures++;
        else {
          b.push(r.firstDeltaMs);
          bTotal.push(r.totalMs);
        }
      } else {
        const r = await client.turn(created.id, text);
        if (!r.ok || !Number.isFinite(r.firstDeltaMs)) failures++;
        else {
          p.push(r.firstDeltaMs);
          pTotal.push(r.totalMs);
        }
      }
    }
  }
  const srvCpu = (cpuOf(server.pid)?.self ?? 0) - srv0;
  const platCliCpu = treeCpu(platformPid) - pc0;
  const bareCliCpu = treeCpu(bare.pid) - bc0;
  // The SDK's own cost per streamed frame, in its host process (here: the bench driver, nothing else running)
  let sdkFrames = 0;
  const u0 = process.cpuUsage();
  for (let i = 0; i < Math.max(1, Math.min(3, cfg.wsTurns)); i++)
    sdkFrames += (await bare.turn(`bench-stream ${cfg.wsChunks} ${cfg.wsChars}`)).deltas;
  const su = process.cpuUsage(u0);
  await bare.close();
  const n = cfg.overheadTurns;
  const result = {
    turns_each: n,
    failures,
    session_source: created.source,
    first_turn_ms: { bare: round(firstBare.firstDeltaMs), platform: round(firstPlat.firstDeltaMs) },
    first_delta_ms: { bare: dist(b), platform: dist(p) },
    turn_total_ms: { bare: dist(bTotal), platform: dist(pTotal) },
    ratio_p50: round(median(p) / median(b), 3),
    ratio_p95: round(quantile(p, 0.95) / quantile(b, 0.95), 3),
    added_ms_p50: round(median(p) - median(b), 2),
    cpu_ms_per_turn: {
      server: round((srvCpu / n) * 1000, 2),
      /** What the SDK alone costs its host process per turn (the bench driver, bare turns only). */
      bare_sdk_host: round(driverCpuUs / n / 1000, 2),
      platform_cli: round((platCliCpu / n) * 1000, 1),
      bare_cli: round((bareCliCpu / n) * 1000, 1),
    },
    /** CPU the SDK alone spends per streamed delta in its host process (bare session, fast stream). */
    bare_sdk_host_us_per_frame: round((su.user + su.system) / Math.max(1, sdkFrames), 1),
    samples: { bare: b.map((x) => round(x, 2)), platform: p.map((x) => round(x, 2)) },
    session_id: created.id,
  };
  log(
    `  first delta p50 bare ${result.first_delta_ms.bare.p50} ms, platform ${result.first_delta_ms.platform.p50} ms, ratio ${result.ratio_p50} (p95 ratio ${result.ratio_p95})`,
  );
  return result;
}
