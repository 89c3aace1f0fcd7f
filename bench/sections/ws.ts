// 5a. WebSocket layer, one client: a fast scripted stream (many tiny SSE deltas)
// through CLI -> SDK -> server -> WebSocket; frames/s at the client and server CPU per frame.
import type { BenchClient } from '../lib/client.js';
import type { BenchConfig } from '../lib/config.js';
import type { ServerProc } from '../lib/procs.js';
import { cpuOf, dist, syscallsOf, treeCpu } from '../lib/util.js';

export async function wsSingle(cfg: BenchConfig, server: ServerProc, client: BenchClient, sessionId: string, log: (s: string) => void) {
  const detail = await server.api('GET', `/api/v1/sessions/${sessionId}`);
  const cliPid = detail.body.subprocess_pid as number;
  const rates: number[] = [];
  const frames: number[] = [];
  const srvUs: number[] = [];
  const cliUs: number[] = [];
  const totals: number[] = [];
  let failures = 0;
  let srvTotal = 0;
  const io0 = syscallsOf(server.pid);
  let cliTotal = 0;
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
    srvTotal += s1 - s0;
    cliTotal += c1 - c0;
    srvUs.push(((s1 - s0) / r.deltas) * 1e6);
    cliUs.push(((c1 - c0) / r.deltas) * 1e6);
  }
  const io1 = syscallsOf(server.pid);
  const nFrames = Math.max(
    1,
    frames.reduce((a, b) => a + b, 0),
  );
  const out = {
    turns: cfg.wsTurns,
    /** Server write syscalls per forwarded frame (socket writes; 1.0 = one write per frame) and reads (CLI stdout chunks). */
    server_write_syscalls_per_frame: Math.round(((io1.w - io0.w) / nFrames) * 1000) / 1000,
    server_read_syscalls_per_frame: Math.round(((io1.r - io0.r) / nFrames) * 1000) / 1000,
    failures,
    scripted_chunks: cfg.wsChunks,
    frames_per_turn: dist(frames, 0),
    frames_per_s: dist(rates, 0),
    turn_total_ms: dist(totals),
    /** CPU over all turns / all frames (per-turn figures are coarse: /proc counts 10 ms ticks). */
    server_cpu_us_per_frame_all:
      Math.round(
        (srvTotal /
          Math.max(
            1,
            frames.reduce((a, b) => a + b, 0),
          )) *
          1e7,
      ) / 10,
    cli_cpu_us_per_frame_all:
      Math.round(
        (cliTotal /
          Math.max(
            1,
            frames.reduce((a, b) => a + b, 0),
          )) *
          1e7,
      ) / 10,
    server_cpu_us_per_frame: dist(srvUs),
    cli_cpu_us_per_frame: dist(cliUs),
  };
  log(
    `  1 client: ${out.frames_per_turn.p50} frames/turn at ${out.frames_per_s.p50} frames/s; server ${out.server_cpu_us_per_frame_all} µs CPU/frame, CLI ${out.cli_cpu_us_per_frame_all} µs/frame`,
  );
  return out;
}
