// 5a. WebSocket layer, one client: a fast scripted stream (many tiny SSE deltas)
// through CLI -> SDK -> server -> WebSocket; frames/s at the client and server CPU per frame.
import type { BenchClient } from '../lib/client.js';
import type { BenchConfig } from '../lib/config.js';
import type { ServerProc } from '../lib/procs.js';
import { cpuOf, dist, treeCpu } from '../lib/util.js';

export async function wsSingle(cfg: BenchConfig, server: ServerProc, client: BenchClient, sessionId: string, log: (s: string) => void) {
  const detail = await server.api('GET', `/api/v1/sessions/${sessionId}`);
  const cliPid = detail.body.subprocess_pid as number;
  const rates: number[] = [];
  const frames: number[] = [];
  const srvUs: number[] = [];
  const cliUs: number[] = [];
  const totals: number[] = [];
  let failures = 0;
  for (let i = 0; i < cfg.wsTurns; i++) {
    const s0 = cpuOf(server.pid)?.self ?? 0;
    const c0 = treeCpu(cliPid);
    const r = await client.turn(sessionId, `bench-stream ${cfg.wsChunks} ${cfg.wsChars}`, 300_000);
    const s1 = cpuOf(server.pid)?.self ?? 0;
    const c1 = treeCpu(cliPid);
    if (!r.ok) {
      failures++;
      continue;
    }
    frames.push(r.deltas);
    totals.push(r.totalMs);
    rates.push((r.deltas - 1) / ((r.lastDeltaAt - r.firstAt) / 1000));
    srvUs.push(((s1 - s0) / r.deltas) * 1e6);
    cliUs.push(((c1 - c0) / r.deltas) * 1e6);
  }
  const out = {
    turns: cfg.wsTurns,
    failures,
    scripted_chunks: cfg.wsChunks,
    frames_per_turn: dist(frames, 0),
    frames_per_s: dist(rates, 0),
    turn_total_ms: dist(totals),
    server_cpu_us_per_frame: dist(srvUs),
    cli_cpu_us_per_frame: dist(cliUs),
  };
  log(
    `  1 client: ${out.frames_per_turn.p50} frames/turn at ${out.frames_per_s.p50} frames/s; server ${out.server_cpu_us_per_frame.p50} µs CPU/frame, CLI ${out.cli_cpu_us_per_frame.p50} µs/frame`,
  );
  return out;
}
