// 3. Concurrency: N sessions (one connection each) running turns at once, some
// with a Bash tool call. Then 5b: the same fleet streams a fast answer at once.
import type { BenchConfig } from '../lib/config.js';
import { Fleet, memSampler } from '../lib/fleet.js';
import type { ServerProc } from '../lib/procs.js';
import { dist, mean, round, sleep, syscallsOf } from '../lib/util.js';

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Mean sweep time of the subprocess monitor, from the Prometheus histogram on /metrics. */
async function monitorSweep(server: ServerProc): Promise<{ sweeps: number; mean_ms: number } | null> {
  const r = await server.api('GET', '/metrics');
  if (r.status !== 200 || typeof r.body !== 'string') return null;
  const val = (name: string) => Number(r.body.match(new RegExp(`^${name}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'm'))?.[1] ?? Number.NaN);
  const count = val('csp_monitor_sweep_seconds_count');
  const total = val('csp_monitor_sweep_seconds_sum');
  return Number.isFinite(count) ? { sweeps: count, mean_ms: round(count > 0 ? (total / count) * 1000 : 0, 2) } : null;
}

export async function concurrency(cfg: BenchConfig, server: ServerProc, log: (s: string) => void) {
  const fleet = new Fleet(server);
  const levels: Record<string, unknown>[] = [];
  const timeline: { level: number; t: number; server_mb: number; clis_mb: number }[] = [];
  let tBase = 0;
  for (const level of cfg.levels) {
    const g0 = performance.now();
    const grown = await fleet.grow(level, cfg.createBatch);
    const growS = (performance.now() - g0) / 1000;
    await sleep(3000);
    const fresh = fleet.rss();
    const n = fleet.members.length;
    const firsts: number[] = [];
    const textFirsts: number[] = [];
    const totals: number[] = [];
    const perRound: Record<string, unknown>[] = [];
    const toolTotals: number[] = [];
    let ok = 0;
    let tried = 0;
    const failures: string[] = [];
    const updated0 = sum(fleet.members.map((m) => m.client.counts.get('session_updated') ?? 0));
    const sampler = memSampler(fleet, 250);
    const cpu0 = fleet.cpu();
    const w0 = performance.now();
    for (let r = 0; r < cfg.rounds; r++) {
      const rc0 = fleet.cpu();
      const rw0 = performance.now();
      const results = await Promise.all(
        fleet.members.map((m, i) => {
          const tool = i % cfg.toolEvery === 0;
          const text = tool ? `run: echo bench-${level}-${r}-${i}` : `say: level ${level} round ${r} session ${i} ${'y'.repeat(60)}`;
          return m.client.turn(m.id, text, 180_000).then((res) => ({ res, tool }));
        }),
      );
      const rwall = (performance.now() - rw0) / 1000;
      const rc1 = fleet.cpu();
      const roundText = results.filter((x) => !x.tool && x.res.ok).map((x) => x.res.firstDeltaMs);
      perRound.push({
        round: r + 1,
        ok: results.filter((x) => x.res.ok).length,
        text_first_delta_ms: dist(roundText),
        wall_s: round(rwall, 2),
        cpu_cores_busy: round((rc1.server - rc0.server + rc1.clis - rc0.clis) / rwall, 2),
        cli_cpu_ms_per_turn: round(((rc1.clis - rc0.clis) / results.length) * 1000, 1),
      });
      for (const { res, tool } of results) {
        tried++;
        if (res.ok && Number.isFinite(res.firstDeltaMs)) {
          ok++;
          firsts.push(res.firstDeltaMs);
          if (!tool) textFirsts.push(res.firstDeltaMs);
          totals.push(res.totalMs);
          if (tool) toolTotals.push(res.totalMs);
        } else failures.push(res.end);
      }
    }
    const wall = (performance.now() - w0) / 1000;
    const cpu1 = fleet.cpu();
    const samples = sampler.stop();
    for (const s of samples)
      timeline.push({ level, t: round(tBase + s.t, 2), server_mb: round(s.server_mb), clis_mb: round(sum(s.sessions_mb)) });
    tBase += (samples.at(-1)?.t ?? 0) + 1;
    const updated1 = sum(fleet.members.map((m) => m.client.counts.get('session_updated') ?? 0));
    await sleep(2000);
    const after = fleet.rss();
    const sweep = await monitorSweep(server);
    const cpuServer = cpu1.server - cpu0.server;
    const cpuClis = cpu1.clis - cpu0.clis;
    const row = {
      sessions: n,
      create: { created: grown.created, failed: grown.failed, wall_s: round(growS, 1), ms: grown.ms.length ? dist(grown.ms) : null },
      turns: tried,
      success_rate: round(ok / Math.max(1, tried), 4),
      failures: failures.slice(0, 5),
      /** Every turn; a Bash turn's first text comes after the tool ran and a second model call. */
      first_delta_ms: dist(firsts),
      /** Turns without a tool: send -> first text delta. */
      text_first_delta_ms: dist(textFirsts),
      rounds: perRound,
      turn_total_ms: dist(totals),
      tool_turn_total_ms: toolTotals.length ? dist(toolTotals) : null,
      wall_s: round(wall, 2),
      cpu_s: { server: round(cpuServer, 2), clis: round(cpuClis, 2) },
      cpu_ms_per_turn: { server: round((cpuServer / tried) * 1000, 2), clis: round((cpuClis / tried) * 1000, 1) },
      cpu_cores_busy: round((cpuServer + cpuClis) / wall, 2),
      server_rss_mb: {
        idle_before: round(fresh.server),
        peak: round(Math.max(...samples.map((s) => s.server_mb))),
        idle_after: round(after.server),
      },
      session_rss_mb: {
        fresh_idle: dist(fresh.sessions),
        peak_during: dist(fleet.members.map((_, i) => Math.max(...samples.map((s) => s.sessions_mb[i] ?? 0)))),
        idle_after_turns: dist(after.sessions),
        total_idle_after: round(sum(after.sessions)),
      },
      /** The subprocess monitor's sweep time so far (from /metrics), when it runs. */
      monitor_sweep_ms: sweep,
      session_updated_frames_per_turn_per_client: round((updated1 - updated0) / Math.max(1, tried) / 1, 2),
      session_updated_frames_total: updated1 - updated0,
    };
    levels.push(row);
    log(
      `  ${n} sessions: ok ${ok}/${tried}, text first delta p50 ${row.text_first_delta_ms.p50} p95 ${row.text_first_delta_ms.p95} ms, turn p95 ${row.turn_total_ms.p95} ms, ` +
        `cores busy ${row.cpu_cores_busy}, server RSS ${row.server_rss_mb.peak} MB, idle session p50 ${row.session_rss_mb.idle_after_turns.p50} MB`,
    );
  }
  return { fleet, result: { levels, timeline } };
}

/** 5b: every session of the fleet streams a fast answer at once (aggregate frames/s through the server). */
export async function wsFanout(cfg: BenchConfig, fleet: Fleet, log: (s: string) => void) {
  const members = fleet.members.slice(0, cfg.wsClients);
  const io0 = syscallsOf(fleet.server.pid);
  const cpu0 = fleet.cpu();
  const results = await Promise.all(members.map((m) => m.client.turn(m.id, `bench-stream ${cfg.wsChunks} ${cfg.wsChars}`, 300_000)));
  const cpu1 = fleet.cpu();
  const io1 = syscallsOf(fleet.server.pid);
  const frames = sum(results.map((r) => r.deltas));
  const start = Math.min(...results.map((r) => r.firstAt));
  const end = Math.max(...results.map((r) => r.lastDeltaAt));
  const perClientRate = results.map((r) => (r.deltas > 1 ? (r.deltas - 1) / ((r.lastDeltaAt - r.firstAt) / 1000) : Number.NaN));
  const cpuServer = cpu1.server - cpu0.server;
  const out = {
    clients: members.length,
    ok: results.filter((r) => r.ok).length,
    frames_total: frames,
    frames_per_turn: dist(
      results.map((r) => r.deltas),
      0,
    ),
    aggregate_frames_per_s: round(frames / ((end - start) / 1000), 0),
    per_client_frames_per_s: dist(perClientRate.filter(Number.isFinite), 0),
    server_write_syscalls_per_frame: round((io1.w - io0.w) / Math.max(1, frames), 3),
    server_read_syscalls_per_frame: round((io1.r - io0.r) / Math.max(1, frames), 3),
    server_cpu_s: round(cpuServer, 2),
    clis_cpu_s: round(cpu1.clis - cpu0.clis, 2),
    server_cpu_us_per_frame: round((cpuServer / Math.max(1, frames)) * 1e6, 1),
    clis_cpu_us_per_frame: round(((cpu1.clis - cpu0.clis) / Math.max(1, frames)) * 1e6, 1),
    turn_total_ms: dist(results.map((r) => r.totalMs)),
    mean_turn_s: round(mean(results.map((r) => r.totalMs)) / 1000, 2),
  };
  log(
    `  ${out.clients} clients streaming: ${out.aggregate_frames_per_s} frames/s aggregate, server ${out.server_cpu_us_per_frame} µs CPU/frame, CLIs ${out.clis_cpu_us_per_frame} µs/frame`,
  );
  return out;
}
