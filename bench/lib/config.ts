// Bench sizes: full by default, small with BENCH_QUICK=1 or --quick; every size
// can be overridden by an env variable (BENCH_*) or a flag (--turns=5 etc.).
import path from 'node:path';

export interface BenchConfig {
  quick: boolean;
  sections: string[];
  overheadTurns: number;
  startSamples: number;
  levels: number[];
  rounds: number;
  /** Every n-th session of a concurrency round calls the Bash tool. */
  toolEvery: number;
  createBatch: number;
  soakSessions: number;
  soakTurns: number;
  soakToolEvery: number;
  sampleSeconds: number;
  restartWindowSeconds: number;
  wsChunks: number;
  wsChars: number;
  wsTurns: number;
  wsClients: number;
  microFrames: number;
  /** Sessions created one after another against MAX_SESSIONS=10 (dormant section). */
  dormantSessions: number;
  /** Dormant sessions sent a message again (their resume is timed). */
  dormantResumes: number;
  /** MAX_SESSIONS of the dormant section's server. */
  dormantMax: number;
  /** Turns of the long and the short conversation opened side by side (history section). */
  historyBigTurns: number;
  historySmallTurns: number;
  /** Opens of each (switch_session -> session_history). */
  historyOpens: number;
  /** Sessions stored for the list timing, and requests timed per kind. */
  listSessions: number;
  listRequests: number;
  out: string;
  plots: boolean;
}

const ROOT = path.resolve(import.meta.dirname, '../..');
export const ALL_SECTIONS = [
  'overhead',
  'start',
  'ws',
  'concurrency',
  'soak',
  'restart',
  'micro',
  'dormant',
  'history',
  'jail',
  'workspace',
  'engines',
  'postgres',
];

export function benchConfig(argv: string[] = process.argv.slice(2), env = process.env): BenchConfig {
  const flags = new Map<string, string>();
  for (const a of argv) {
    const m = a.match(/^--([\w-]+)(?:=(.*))?$/);
    if (m) flags.set(m[1] as string, m[2] ?? '1');
  }
  const get = (flag: string, envName: string): string | undefined => flags.get(flag) ?? env[envName];
  const quick = get('quick', 'BENCH_QUICK') === '1' || get('quick', 'BENCH_QUICK') === 'true';
  const num = (flag: string, envName: string, full: number, q: number) => {
    const v = get(flag, envName);
    return v !== undefined && v !== '' ? Number(v) : quick ? q : full;
  };
  const list = (flag: string, envName: string, full: number[], q: number[]) => {
    const v = get(flag, envName);
    return v
      ? v
          .split(',')
          .map(Number)
          .filter((n) => n > 0)
      : quick
        ? q
        : full;
  };
  const soakSessions = num('soak-sessions', 'BENCH_SOAK_SESSIONS', 10, 2);
  const soakTurns = num('soak-turns', 'BENCH_SOAK_TURNS', 200, 10);
  let sections = (get('sections', 'BENCH_SECTIONS') ?? ALL_SECTIONS.join(',')).split(',').filter(Boolean);
  if (get('soak', 'BENCH_SOAK') === '0' || soakTurns === 0) sections = sections.filter((s) => s !== 'soak');
  const out = get('out', 'BENCH_OUT') ?? path.join(ROOT, 'docs/benchmarks/latest.json');
  return {
    quick,
    sections,
    overheadTurns: num('turns', 'BENCH_TURNS', 40, 5),
    startSamples: num('start-samples', 'BENCH_START_SAMPLES', 10, 3),
    levels: list('levels', 'BENCH_LEVELS', [10, 25, 50], [2]),
    rounds: num('rounds', 'BENCH_ROUNDS', 3, 1),
    toolEvery: num('tool-every', 'BENCH_TOOL_EVERY', 3, 2),
    createBatch: num('create-batch', 'BENCH_CREATE_BATCH', 4, 2),
    soakSessions,
    soakTurns,
    soakToolEvery: num('soak-tool-every', 'BENCH_SOAK_TOOL_EVERY', 2, 2),
    sampleSeconds: num('sample-seconds', 'BENCH_SAMPLE_SECONDS', 3, 1),
    restartWindowSeconds: num('restart-window', 'BENCH_RESTART_WINDOW', 15, 6),
    wsChunks: num('ws-chunks', 'BENCH_WS_CHUNKS', 2000, 200),
    wsChars: num('ws-chars', 'BENCH_WS_CHARS', 40_000, 4000),
    wsTurns: num('ws-turns', 'BENCH_WS_TURNS', 6, 1),
    wsClients: num('ws-clients', 'BENCH_WS_CLIENTS', 50, 2),
    microFrames: num('micro-frames', 'BENCH_MICRO_FRAMES', 20_000, 2000),
    dormantSessions: num('dormant-sessions', 'BENCH_DORMANT_SESSIONS', 200, 15),
    dormantResumes: num('dormant-resumes', 'BENCH_DORMANT_RESUMES', 10, 3),
    dormantMax: num('dormant-max', 'BENCH_DORMANT_MAX', 10, 10),
    historyBigTurns: num('history-big', 'BENCH_HISTORY_BIG', 2000, 2000),
    historySmallTurns: num('history-small', 'BENCH_HISTORY_SMALL', 10, 10),
    historyOpens: num('history-opens', 'BENCH_HISTORY_OPENS', 30, 8),
    listSessions: num('list-sessions', 'BENCH_LIST_SESSIONS', 10_000, 10_000),
    listRequests: num('list-requests', 'BENCH_LIST_REQUESTS', 50, 10),
    out: path.resolve(out),
    plots: (get('plots', 'BENCH_PLOTS') ?? '1') !== '0',
  };
}
