// 4. Soak, compressed: S sessions x T turns back to back (every k-th with a Bash
// tool call), memory sampled every few seconds; slopes by linear regression.
// Plus the memory-restart check with a low MAX_SESSION_RSS_MB.
import fs from 'node:fs';
import path from 'node:path';
import type { BenchConfig } from '../lib/config.js';
import { Fleet, memSampler } from '../lib/fleet.js';
import type { ServerProc } from '../lib/procs.js';
import { dist, linreg, round, sleep } from '../lib/util.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

function slopeMbPerMin(t: number[], y: number[]) {
  const r = linreg(
    t.map((x) => x / 60),
    y,
  );
  return { mb_per_min: round(r.slope, 2), r2: round(r.r2, 3) };
}

export async function soak(cfg: BenchConfig, server: ServerProc, log: (s: string) => void) {
  const fleet = new Fleet(server);
  await fleet.grow(cfg.soakSessions, cfg.createBatch);
  await sleep(2000);
  const heapBefore = await server.heapAfterGc();
  const sampler = memSampler(fleet, cfg.sampleSeconds * 1000);
  const firsts: number[][] = fleet.members.map(() => []);
  const totals: number[][] = fleet.members.map(() => []);
  let ok = 0;
  let failed = 0;
  const failures: string[] = [];
  const w0 = performance.now();
  const cpu0 = fleet.cpu();
  await Promise.all(
    fleet.members.map(async (m, i) => {
      for (let t = 0; t < cfg.soakTurns; t++) {
        const tool = t % cfg.soakToolEvery === 1;
        const text = tool ? `run: echo soak ${i} ${t} && ls /tmp > /dev/null` : `say: soak session ${i} turn ${t} ${'z'.repeat(200)}`;
        const r = await m.client.turn(m.id, text, 120_000);
        if (r.ok) {
          ok++;
          firsts[i]?.push(r.firstDeltaMs);
          totals[i]?.push(r.totalMs);
        } else {
          failed++;
          if (failures.length < 5) failures.push(r.end);
        }
      }
    }),
  );
  const wall = (performance.now() - w0) / 1000;
  const cpu1 = fleet.cpu();
  await sleep(cfg.sampleSeconds * 1000);
  const samples = sampler.stop();
  const heapAfter = await server.heapAfterGc();
  const t = samples.map((s) => s.t);
  const half = Math.floor(samples.length / 2);
  const perSession = fleet.members.map((_, i) => {
    const y = samples.map((s) => s.sessions_mb[i] ?? 0);
    // the whole-run slope includes each CLI's jump over its first turns; the 2nd half is the steady growth
    const second = slopeMbPerMin(t.slice(half), y.slice(half));
    return { ...slopeMbPerMin(t, y), second_half_mb_per_min: second.mb_per_min, start_mb: round(y[0] ?? 0), end_mb: round(y.at(-1) ?? 0) };
  });
  const allFirst = firsts.flat();
  const early = firsts.flatMap((f) => f.slice(0, Math.ceil(f.length / 10)));
  const late = firsts.flatMap((f) => f.slice(Math.floor((f.length * 9) / 10)));
  // F6: does a restart give the memory back? End (destroy) a few sessions, resume each with a turn.
  const before = fleet.rss();
  const resumed: { before_mb: number; after_mb: number | null; ok: boolean; resume_turn_ms: number }[] = [];
  for (const [i, m] of fleet.members.slice(0, 3).entries()) {
    await m.client.destroy(m.id);
    const r = await m.client.turn(m.id, 'say: back again', 120_000);
    const d = await server.api('GET', `/api/v1/sessions/${m.id}`);
    resumed.push({
      before_mb: round(before.sessions[i] ?? 0),
      after_mb: typeof d.body?.rss_mb === 'number' ? d.body.rss_mb : null,
      ok: r.ok,
      resume_turn_ms: round(r.totalMs),
    });
  }
  const out = {
    /** RSS of a session tree before it was ended, and of the CLI resumed on its transcript after one turn. */
    resumed_after_soak: resumed,
    sessions: fleet.members.length,
    turns_per_session: cfg.soakTurns,
    ok,
    failed,
    failures,
    wall_s: round(wall, 1),
    turns_per_s: round(ok / wall, 2),
    cpu_s: { server: round(cpu1.server - cpu0.server, 1), clis: round(cpu1.clis - cpu0.clis, 1) },
    first_delta_ms: dist(allFirst),
    first_delta_ms_first_10pct: dist(early),
    first_delta_ms_last_10pct: dist(late),
    server_rss_mb: {
      start: round(samples[0]?.server_mb ?? 0),
      end: round(samples.at(-1)?.server_mb ?? 0),
      max: round(Math.max(...samples.map((s) => s.server_mb))),
      slope: slopeMbPerMin(
        t,
        samples.map((s) => s.server_mb),
      ),
      slope_second_half: slopeMbPerMin(
        t.slice(half),
        samples.slice(half).map((s) => s.server_mb),
      ),
    },
    /** Server heap after a forced full GC (inspector), before and after the turns: what is really retained. */
    server_heap_after_gc_mb: { before: heapBefore, after: heapAfter },
    retained_heap_kb_per_turn:
      heapBefore && heapAfter ? round(((heapAfter.heap_used_mb - heapBefore.heap_used_mb) * 1024) / Math.max(1, ok), 2) : null,
    session_rss_slope_mb_per_min: dist(
      perSession.map((s) => s.mb_per_min),
      2,
    ),
    session_rss_slope_second_half_mb_per_min: dist(
      perSession.map((s) => s.second_half_mb_per_min),
      2,
    ),
    sessions_detail: perSession,
    samples: samples.map((s) => ({ t: round(s.t, 1), server_mb: round(s.server_mb), sessions_mb: s.sessions_mb.map((x) => round(x)) })),
  };
  await fleet.closeAll();
  log(
    `  ${out.ok}/${out.ok + out.failed} turns in ${out.wall_s} s; server RSS ${out.server_rss_mb.start} -> ${out.server_rss_mb.end} MB ` +
      `(slope ${out.server_rss_mb.slope.mb_per_min} MB/min); session slope p50 ${out.session_rss_slope_mb_per_min.p50} MB/min`,
  );
  return out;
}

/** Is a subprocess monitor wired in src/ (something besides config reads monitorIntervalSeconds)? */
export function monitorPresent(): boolean {
  const walk = (d: string): string[] =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  return walk(path.join(ROOT, 'src'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('config.ts') && !f.includes('/web/'))
    .some((f) => fs.readFileSync(f, 'utf8').includes('monitorIntervalSeconds'));
}

export async function restartCheck(cfg: BenchConfig, server: ServerProc, log: (s: string) => void) {
  const present = monitorPresent();
  const fleet = new Fleet(server);
  await fleet.grow(2, 2);
  for (const m of fleet.members) await m.client.turn(m.id, 'say: warm up', 60_000);
  const rss = fleet.rss();
  const restarting: { at: number; reason: string }[] = [];
  const t0 = performance.now();
  const offs = fleet.members.map((m) =>
    m.client.on((f, at) => {
      if (f.type === 'session_restarting') restarting.push({ at: (at - t0) / 1000, reason: String(f.reason) });
    }),
  );
  await sleep(cfg.restartWindowSeconds * 1000);
  // Does a session still answer after whatever the monitor did?
  const after = await Promise.all(fleet.members.map((m) => m.client.turn(m.id, 'say: still there?', 60_000)));
  for (const off of offs) off();
  const out = {
    monitor_present_in_src: present,
    limit_mb: Number(server.env.MAX_SESSION_RSS_MB),
    interval_s: Number(server.env.MONITOR_INTERVAL_SECONDS),
    session_rss_mb: rss.sessions.map((x) => round(x)),
    window_s: cfg.restartWindowSeconds,
    session_restarting_frames: restarting.length,
    reasons: [...new Set(restarting.map((r) => r.reason))],
    first_restart_after_s: restarting.length ? round(restarting[0]?.at ?? 0, 2) : null,
    answers_after: after.filter((r) => r.ok).length,
    measurable: restarting.length > 0,
    note:
      restarting.length > 0
        ? 'memory restarts fire'
        : present
          ? 'a monitor is in src but no session_restarting frame arrived within the window'
          : 'no subprocess monitor in src yet: memory restarts are not measurable',
  };
  await fleet.closeAll();
  log(`  restart check: ${out.session_restarting_frames} session_restarting frames in ${out.window_s} s (${out.note})`);
  return out;
}
