// Keeps the benchmark script from rotting: one tiny pass (2 turns, 2 sessions,
// no soak) against the real server, CLIs and scripted model. Asserts the shape
// of the result (every section, finite numbers), never timings.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '..');

function finite(obj: unknown, where: string): void {
  assert.equal(typeof obj, 'number', `${where} is not a number: ${JSON.stringify(obj)}`);
  assert.ok(Number.isFinite(obj), `${where} is not finite: ${obj}`);
}

function dist(d: unknown, where: string): void {
  assert.ok(d && typeof d === 'object', `${where} missing`);
  for (const k of ['n', 'min', 'p50', 'p95', 'max', 'mean']) finite((d as Record<string, unknown>)[k], `${where}.${k}`);
}

test('npm run bench (tiny pass) writes every section with finite numbers', { timeout: 120_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'csp-bench-smoke-'));
  const out = path.join(dir, 'latest.json');
  const env = {
    ...process.env,
    BENCH_QUICK: '1',
    BENCH_OUT: out,
    BENCH_TURNS: '2',
    BENCH_START_SAMPLES: '2',
    BENCH_LEVELS: '2',
    BENCH_ROUNDS: '1',
    BENCH_SOAK: '0',
    BENCH_WS_TURNS: '1',
    BENCH_WS_CHUNKS: '50',
    BENCH_WS_CHARS: '1000',
    BENCH_MICRO_FRAMES: '300',
    BENCH_RESTART_WINDOW: '2',
    // the dormant section starts its own server: too slow for this pass on a loaded machine
    // (test/dormant.test.ts covers the behaviour; `BENCH_SECTIONS=dormant npm run bench -- --quick` the section)
    BENCH_SECTIONS: 'overhead,start,ws,concurrency,restart,micro',
  };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/run.ts')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  assert.equal(code, 0, log);

  const r = JSON.parse(fs.readFileSync(out, 'utf8'));
  for (const k of [
    'date',
    'machine',
    'config',
    'goals',
    'overhead',
    'start',
    'concurrency',
    'ws_single',
    'ws_fanout',
    'ws_micro',
    'memory_restart',
  ])
    assert.ok(k in r, `section ${k} missing`);
  assert.equal(r.soak, undefined);
  finite(r.machine.nproc, 'machine.nproc');

  dist(r.overhead.first_delta_ms.bare, 'overhead.first_delta_ms.bare');
  dist(r.overhead.first_delta_ms.platform, 'overhead.first_delta_ms.platform');
  finite(r.overhead.ratio_p50, 'overhead.ratio_p50');
  finite(r.overhead.cpu_ms_per_turn.server, 'overhead.cpu_ms_per_turn.server');

  dist(r.start.pool.pool_hit_ms, 'start.pool.pool_hit_ms');
  dist(r.start.cold.cold_ms, 'start.cold.cold_ms');

  assert.equal(r.concurrency.levels.length, 1);
  const l = r.concurrency.levels[0];
  assert.equal(l.sessions, 2);
  finite(l.success_rate, 'success_rate');
  dist(l.first_delta_ms, 'concurrency.first_delta_ms');
  finite(l.cpu_s.server, 'cpu_s.server');
  finite(l.server_rss_mb.peak, 'server_rss_mb.peak');
  dist(l.session_rss_mb.idle_after_turns, 'session_rss_mb.idle_after_turns');
  assert.ok(r.concurrency.timeline.length > 0);

  dist(r.ws_single.frames_per_s, 'ws_single.frames_per_s');
  finite(r.ws_fanout.aggregate_frames_per_s, 'ws_fanout.aggregate_frames_per_s');
  finite(r.ws_micro.full_path.us_per_frame, 'ws_micro.full_path.us_per_frame');
  finite(r.memory_restart.session_restarting_frames, 'memory_restart.session_restarting_frames');

  for (const g of r.goals) assert.ok(typeof g.goal === 'string' && 'pass' in g);
  assert.equal(r.leftover_processes, 0, 'the bench left processes behind');
  assert.ok(fs.existsSync(path.join(dir, 'overhead-first-delta-cdf.svg')));
});
