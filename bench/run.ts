// npm run bench [-- --quick] : the platform's benchmark suite (issue 6).
// Real server (child process), real CLI processes, the scripted model (its own
// process, zero model latency), so what is measured is ours. Prints a table,
// writes raw results to docs/benchmarks/latest.json (BENCH_OUT / --out) and SVG plots next to it.
import fs from 'node:fs';
import path from 'node:path';
import { BenchClient } from './lib/client.js';
import { benchConfig } from './lib/config.js';
import { writePlots } from './lib/plots.js';
import { killEverything, type ServerProc, serverMode, startModel, startServer } from './lib/procs.js';
import { type Json, loadavg, machine, round } from './lib/util.js';
import { concurrency, wsFanout } from './sections/concurrency.js';
import { dormant } from './sections/dormant.js';
import { engines } from './sections/engines.js';
import { history } from './sections/history.js';
import { jail } from './sections/jail.js';
import { micro } from './sections/micro.js';
import { overhead } from './sections/overhead.js';
import { postgresSection } from './sections/postgres.js';
import { restartCheck, soak } from './sections/soak.js';
import { startCold, startPool } from './sections/start.js';
import { workspace } from './sections/workspace.js';
import { wsSingle } from './sections/ws.js';

const cfg = benchConfig();
const log = (s: string) => process.stdout.write(`${s}\n`);
const has = (s: string) => cfg.sections.includes(s);

const result: Record<string, Json> = {
  version: 1,
  date: new Date().toISOString(),
  quick: cfg.quick,
  config: { ...cfg, out: path.relative(process.cwd(), cfg.out) },
  machine: machine(),
  server_mode: serverMode(),
  server_src: process.env.BENCH_SERVER_SRC ?? 'src',
};

let interrupted = false;
const onSignal = async () => {
  if (interrupted) return;
  interrupted = true;
  log('\ninterrupted: ending every process the bench started');
  await killEverything();
  process.exit(130);
};
process.on('SIGINT', () => void onSignal());
process.on('SIGTERM', () => void onSignal());

async function withServer<T>(
  name: string,
  modelUrl: string,
  env: Record<string, string>,
  fn: (s: ServerProc) => Promise<T>,
  opts: { inspect?: boolean } = {},
): Promise<T> {
  const t0 = performance.now();
  (result.loadavg_before ??= {})[name] = loadavg();
  const server = await startServer(modelUrl, env, opts);
  log(`[${name}] server pid ${server.pid} up in ${round(performance.now() - t0, 0)} ms (${JSON.stringify(env)})`);
  try {
    return await fn(server);
  } finally {
    const r = await server.stop();
    if (r.leftovers) log(`[${name}] ${r.leftovers} CLI processes outlived the server and were killed`);
    (result.leftovers_after_server_stop ??= {})[name] = r.leftovers;
  }
}

async function main() {
  const t0 = performance.now();
  log(`claude-sdk-pattern bench (${cfg.quick ? 'quick' : 'full'}): ${cfg.sections.join(', ')}`);
  const model = await startModel();
  try {
    if (has('micro')) {
      log('[micro] per-frame cost of the server code, in process');
      result.ws_micro = await micro(cfg, log);
    }
    if (has('overhead') || has('start') || has('ws') || has('concurrency')) {
      await withServer('main', model.url, { PREWARM_POOL_SIZE: '1', MAX_SESSIONS: '60', MONITOR_INTERVAL_SECONDS: '5' }, async (server) => {
        const client = await BenchClient.connect(server.wsUrl, server.key);
        let sessionId: string | undefined;
        if (has('overhead')) {
          log('[overhead] bare SDK vs platform, alternating turns');
          const r = await overhead(cfg, server, client, model.url, log);
          sessionId = r.session_id;
          result.overhead = r;
        }
        if (has('ws')) {
          log('[ws] fast stream to one client');
          if (!sessionId) sessionId = (await client.create()).id;
          result.ws_single = await wsSingle(cfg, server, client, sessionId, log);
        }
        if (sessionId) await client.destroy(sessionId);
        await client.close();
        if (has('start')) {
          log('[start] pool hits');
          result.start = { pool: await startPool(cfg, server, log) };
        }
        if (has('concurrency')) {
          log(`[concurrency] levels ${cfg.levels.join(', ')}, ${cfg.rounds} round(s) each, Bash in every ${cfg.toolEvery}th session`);
          const { fleet, result: r } = await concurrency(cfg, server, log);
          result.concurrency = r;
          if (has('ws')) {
            log('[ws] fast stream to every session of the fleet at once');
            result.ws_fanout = await wsFanout(cfg, fleet, log);
          }
          await fleet.closeAll();
        }
      });
    }
    if (has('start')) {
      await withServer('cold', model.url, { PREWARM_POOL_SIZE: '0' }, async (server) => {
        log('[start] cold starts');
        result.start = { ...(result.start ?? {}), cold: await startCold(cfg, server, log) };
      });
    }
    if (has('soak')) {
      await withServer(
        'soak',
        model.url,
        { PREWARM_POOL_SIZE: '0', MAX_SESSIONS: String(cfg.soakSessions + 2) },
        async (server) => {
          log(`[soak] ${cfg.soakSessions} sessions x ${cfg.soakTurns} turns, Bash every ${cfg.soakToolEvery}nd turn`);
          result.soak = await soak(cfg, server, log);
        },
        { inspect: true },
      );
    }
    if (has('restart')) {
      await withServer(
        'restart',
        model.url,
        { PREWARM_POOL_SIZE: '0', MAX_SESSION_RSS_MB: '100', MONITOR_INTERVAL_SECONDS: '1' },
        async (server) => {
          log('[restart] memory limit below a CLI RSS');
          result.memory_restart = await restartCheck(cfg, server, log);
        },
      );
    }
    if (has('dormant')) {
      await withServer(
        'dormant',
        model.url,
        { PREWARM_POOL_SIZE: '2', MAX_SESSIONS: String(cfg.dormantMax), SESSION_EVICTION: 'idle' },
        async (server) => {
          log(
            `[dormant] ${cfg.dormantSessions} sessions one after another, MAX_SESSIONS=${cfg.dormantMax}; ${cfg.dormantResumes} dormant ones resumed`,
          );
          result.dormant = await dormant(cfg, server, log);
        },
      );
    }
    if (has('history')) {
      await withServer('history', model.url, { PREWARM_POOL_SIZE: '0', MAX_SESSIONS: '10' }, async (server) => {
        log(
          `[history] ${cfg.historyBigTurns}-turn vs ${cfg.historySmallTurns}-turn conversation opens; ${cfg.listSessions} stored sessions listed`,
        );
        result.history = await history(cfg, server, log);
      });
    }
    if (has('workspace')) {
      await withServer('workspace', model.url, { PREWARM_POOL_SIZE: '0' }, async (server) => {
        log('[workspace] GET /files of a 10,000-file folder and GET /changes of a 10,000-file git repository');
        result.workspace = await workspace(cfg, server, log);
      });
    }
    if (has('engines')) {
      log(`[engines] SQLite and PostgreSQL through the same repositories: ${cfg.listSessions} sessions stored, list pages and search`);
      result.engines = await engines(cfg, log);
    }
    if (has('postgres')) {
      log(
        `[postgres] the same server on SQLite and on PostgreSQL, side by side: first deltas, ${cfg.listSessions} sessions listed and searched`,
      );
      result.postgres = await postgresSection(cfg, model.url, log);
    }
    if (has('jail')) {
      log(`[jail] AGENT_JAIL on vs off, ${cfg.startSamples} samples each, alternating: pre-warmed and cold creates, first deltas`);
      result.jail = await jail(cfg, model.url, log);
    }
  } finally {
    await model.stop();
  }
  result.duration_s = round((performance.now() - t0) / 1000, 1);
  result.loadavg_at_end = loadavg();
  result.goals = goals(result);
  result.leftover_processes = await killEverything();
  fs.mkdirSync(path.dirname(cfg.out), { recursive: true });
  fs.writeFileSync(cfg.out, `${JSON.stringify(result, null, 2)}\n`);
  if (cfg.plots) writePlots(result, path.dirname(cfg.out));
  printTable(result);
  log(`\nraw results: ${path.relative(process.cwd(), cfg.out)} (${result.duration_s} s)`);
}

function goals(r: Record<string, Json>) {
  const g: { goal: string; target: string; value: number | string | null; pass: boolean | null }[] = [];
  const add = (goal: string, target: string, value: number | string | null | undefined, pass: boolean | null) =>
    g.push({ goal, target, value: value ?? null, pass: value === undefined ? null : pass });
  const o = r.overhead;
  add('first-delta ratio platform/bare (p50)', '<= 1.10', o?.ratio_p50, o ? o.ratio_p50 <= 1.1 : null);
  const sp = r.start?.pool?.pool_hit_ms?.p50;
  add('pool-hit create -> ready (p50 ms)', '<= 50', sp, sp !== undefined ? sp <= 50 : null);
  const sc = r.start?.cold?.cold_ms?.p50;
  add('cold create -> ready (p50 ms)', '<= 1000', sc, sc !== undefined ? sc <= 1000 : null);
  const j = r.jail;
  add(
    'jail: pre-warmed create ratio on/off (p50)',
    '<= 1.10',
    j?.pre_warmed?.create_ratio_p50,
    j ? j.pre_warmed.create_ratio_p50 <= 1.1 : null,
  );
  add('jail: cold create added (p50 ms)', '<= 100', j?.cold?.create_added_ms_p50, j ? j.cold.create_added_ms_p50 <= 100 : null);
  add('jail: first delta ratio on/off (p50)', '<= 1.10', j?.cold?.first_delta_ratio_p50, j ? j.cold.first_delta_ratio_p50 <= 1.1 : null);
  const w = r.workspace;
  add('workspace: list a 10,000-file folder (p95 ms)', '< 100', w?.list_ms?.p95, w ? w.list_ms.p95 < 100 : null);
  add('workspace: changes, 10,000 tracked files (p95 ms)', '< 300', w?.changes_ms?.p95, w ? w.changes_ms.p95 < 300 : null);
  const levels = r.concurrency?.levels as Json[] | undefined;
  const top = levels?.at(-1);
  add(`all ${top?.sessions ?? '?'} concurrent sessions answer`, 'success 100%', top?.success_rate, top ? top.success_rate === 1 : null);
  const maxServer = levels ? Math.max(...levels.map((l) => l.server_rss_mb.peak)) : undefined;
  add('server RSS under concurrency (peak MB)', '<= 200', maxServer, maxServer !== undefined ? maxServer <= 200 : null);
  const idle = top?.session_rss_mb?.idle_after_turns?.max;
  add('idle session tree RSS (max MB)', '<= 200', idle, idle !== undefined ? idle <= 200 : null);
  const slope = r.soak?.server_rss_mb?.slope_second_half?.mb_per_min;
  add('soak: server RSS slope, 2nd half (MB/min)', 'flat (|slope| < 1)', slope, slope !== undefined ? Math.abs(slope) < 1 : null);
  const hb = r.soak?.server_heap_after_gc_mb;
  const retained = hb?.before && hb?.after ? round(hb.after.heap_used_mb - hb.before.heap_used_mb, 1) : undefined;
  add('soak: server heap retained after full GC (MB)', '< 5 (no leak)', retained, retained !== undefined ? retained < 5 : null);
  const dm = r.dormant;
  add(
    `dormant: ${dm?.sessions ?? '?'} sessions one after another, MAX_SESSIONS=${dm?.max_sessions ?? '?'}, all answer`,
    'success 100%',
    dm?.success_rate,
    dm ? dm.success_rate === 1 : null,
  );
  add('dormant: resume first delta (p50 ms)', 'reported', dm?.resume_first_delta_ms?.p50, null);
  const hi = r.history;
  add(
    `open ${hi?.turns?.big ?? '?'}-turn vs ${hi?.turns?.small ?? '?'}-turn conversation (p50 ratio)`,
    '<= 1.5 (as fast)',
    hi?.open_ratio_big_small_p50,
    hi ? hi.open_ratio_big_small_p50 <= 1.5 : null,
  );
  const lp = hi?.list?.default_page_ms;
  add(`GET /sessions with ${hi?.list?.sessions_stored ?? '?'} stored (p95 ms)`, '< 50', lp?.p95, lp ? lp.p95 < 50 : null);
  const mr = r.memory_restart;
  add(
    'memory restarts fire with a low limit',
    '>= 1 session_restarting',
    mr ? (mr.monitor_present_in_src ? mr.session_restarting_frames : 'no monitor yet') : undefined,
    mr?.monitor_present_in_src ? mr.session_restarting_frames > 0 : null,
  );
  return g;
}

function printTable(r: Record<string, Json>) {
  log('\n== goals ==');
  const rows = (r.goals as { goal: string; target: string; value: unknown; pass: boolean | null }[]).map((x) => [
    x.goal,
    x.target,
    String(x.value),
    x.pass === null ? 'n/a' : x.pass ? 'PASS' : 'FAIL',
  ]);
  table(['goal', 'target', 'value', ''], rows);
  if (r.overhead) {
    log('\n== overhead: first delta (ms) ==');
    const o = r.overhead;
    table(
      ['', 'p50', 'p95', 'max', 'turn p50', 'CLI CPU ms/turn'],
      [
        [
          'bare SDK',
          o.first_delta_ms.bare.p50,
          o.first_delta_ms.bare.p95,
          o.first_delta_ms.bare.max,
          o.turn_total_ms.bare.p50,
          o.cpu_ms_per_turn.bare_cli,
        ],
        [
          'platform',
          o.first_delta_ms.platform.p50,
          o.first_delta_ms.platform.p95,
          o.first_delta_ms.platform.max,
          o.turn_total_ms.platform.p50,
          o.cpu_ms_per_turn.platform_cli,
        ],
      ].map((x) => x.map(String)),
    );
    log(`ratio p50 ${o.ratio_p50}, p95 ${o.ratio_p95}; server CPU ${o.cpu_ms_per_turn.server} ms/turn`);
  }
  if (r.concurrency) {
    log('\n== concurrency ==');
    table(
      [
        'sessions',
        'ok',
        'text delta p50',
        'text delta p95',
        'last round p50/p95',
        'turn p95',
        'cores busy',
        'CLI CPU ms/turn',
        'srv RSS peak',
        'idle sess p50/max',
        'sum idle',
      ],
      (r.concurrency.levels as Json[]).map((l) =>
        [
          l.sessions,
          `${round(l.success_rate * 100, 1)}%`,
          l.text_first_delta_ms.p50,
          l.text_first_delta_ms.p95,
          `${l.rounds.at(-1).text_first_delta_ms.p50}/${l.rounds.at(-1).text_first_delta_ms.p95}`,
          l.turn_total_ms.p95,
          l.cpu_cores_busy,
          l.cpu_ms_per_turn.clis,
          l.server_rss_mb.peak,
          `${l.session_rss_mb.idle_after_turns.p50}/${l.session_rss_mb.idle_after_turns.max}`,
          l.session_rss_mb.total_idle_after,
        ].map(String),
      ),
    );
  }
  if (r.ws_single || r.ws_fanout || r.ws_micro) {
    log('\n== WebSocket layer ==');
    if (r.ws_single)
      log(
        `1 client: ${r.ws_single.frames_per_turn.p50} frames/turn, ${r.ws_single.frames_per_s.p50} frames/s, server ${r.ws_single.server_cpu_us_per_frame.p50} µs CPU/frame, CLI ${r.ws_single.cli_cpu_us_per_frame.p50} µs/frame`,
      );
    if (r.ws_fanout)
      log(
        `${r.ws_fanout.clients} clients: ${r.ws_fanout.aggregate_frames_per_s} frames/s aggregate, server ${r.ws_fanout.server_cpu_us_per_frame} µs CPU/frame, CLIs ${r.ws_fanout.clis_cpu_us_per_frame} µs/frame`,
      );
    if (r.ws_micro)
      log(
        `in-process: full path ${r.ws_micro.full_path.us_per_frame} µs/frame (Connection.send ${r.ws_micro.connection_send.us_per_frame}, ws.send ${r.ws_micro.ws_send_prebuilt.us_per_frame}, stringify ${r.ws_micro.json_stringify.us_per_frame})`,
      );
  }
  if (r.soak) {
    const s = r.soak;
    log('\n== soak ==');
    log(
      `${s.sessions} x ${s.turns_per_session} turns: ${s.ok} ok, ${s.failed} failed in ${s.wall_s} s; server RSS ${s.server_rss_mb.start} -> ${s.server_rss_mb.end} MB, slope ${s.server_rss_mb.slope.mb_per_min} MB/min (2nd half ${s.server_rss_mb.slope_second_half.mb_per_min}); session slope p50 ${s.session_rss_slope_mb_per_min.p50} MB/min`,
    );
  }
  if (r.dormant) {
    const d = r.dormant;
    log('\n== dormant sessions ==');
    log(
      `${d.answered}/${d.sessions} answered with MAX_SESSIONS=${d.max_sessions} (${d.dormant_after_creates} dormant, ${d.live_processes_after_creates} live); create p50 ${d.create_ms.p50} ms; first delta live p50 ${d.live_first_delta_ms.p50} ms, after a dormant resume p50 ${d.resume_first_delta_ms.p50} ms (p95 ${d.resume_first_delta_ms.p95})`,
    );
  }
  if (r.memory_restart) log(`memory restart: ${r.memory_restart.session_restarting_frames} frames (${r.memory_restart.note})`);
}

function table(head: string[], rows: string[][]) {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(w[i] ?? 0)).join('  ');
  log(line(head));
  log(w.map((n) => '-'.repeat(n)).join('  '));
  for (const r of rows) log(line(r));
}

main()
  .then(() => process.exit(0))
  .catch(async (e: unknown) => {
    process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
    await killEverything();
    process.exit(1);
  });
