// 8. Dormant sessions: with MAX_SESSIONS=10 (BENCH_DORMANT_MAX) and SESSION_EVICTION=idle, sessions
// created one after another all answer (each create releases the least recently
// used idle session's process); a dormant session's next turn resumes its
// conversation: its first delta is measured against a live session's.
import { BenchClient } from '../lib/client.js';
import type { BenchConfig } from '../lib/config.js';
import type { ServerProc } from '../lib/procs.js';
import { dist } from '../lib/util.js';

async function gauge(server: ServerProc, name: string): Promise<number> {
  const text = await fetch(`${server.url}/metrics`, { headers: { 'X-API-Key': server.key } }).then((r) => r.text());
  return Number(text.match(new RegExp(`^${name} (\\d+)$`, 'm'))?.[1] ?? Number.NaN);
}

export async function dormant(cfg: BenchConfig, server: ServerProc, log: (s: string) => void) {
  const c = await BenchClient.connect(server.wsUrl, server.key);
  const ids: string[] = [];
  const create: number[] = [];
  const liveFirst: number[] = [];
  const failures: string[] = [];
  let answered = 0;
  for (let i = 0; i < cfg.dormantSessions; i++) {
    let id: string;
    try {
      const r = await c.create();
      id = r.id;
      create.push(r.ms);
    } catch (e) {
      failures.push((e as Error).message);
      continue;
    }
    ids.push(id);
    const t = await c.turn(id, `say: session ${i} remembers ${i * 7}`, 60_000);
    if (t.ok) {
      answered++;
      liveFirst.push(t.firstDeltaMs);
    } else failures.push(t.end);
    if ((i + 1) % 50 === 0) log(`  ${i + 1} sessions created, ${answered} answered`);
  }
  const dormantAfterCreates = await gauge(server, 'csp_sessions_dormant');
  const liveAfterCreates = await gauge(server, 'csp_session_processes_live');
  // the oldest sessions have long been released: their next turn resumes them
  const resumeFirst: number[] = [];
  const resumeTotal: number[] = [];
  let resumedOk = 0;
  for (const id of ids.slice(0, cfg.dormantResumes)) {
    const t = await c.turn(id, 'say: back again', 60_000);
    if (t.ok) {
      resumedOk++;
      resumeFirst.push(t.firstDeltaMs);
      resumeTotal.push(t.totalMs);
    } else failures.push(t.end);
  }
  await c.close();
  const out = {
    sessions: cfg.dormantSessions,
    max_sessions: cfg.dormantMax,
    created: ids.length,
    answered,
    success_rate: answered / cfg.dormantSessions,
    create_ms: dist(create),
    live_first_delta_ms: dist(liveFirst),
    dormant_after_creates: dormantAfterCreates,
    live_processes_after_creates: liveAfterCreates,
    resumes: cfg.dormantResumes,
    resumed_ok: resumedOk,
    /** send -> first delta of a dormant session's next turn (process start + resume included) */
    resume_first_delta_ms: dist(resumeFirst),
    resume_turn_total_ms: dist(resumeTotal),
    failures: failures.slice(0, 5),
  };
  log(
    `  ${answered}/${cfg.dormantSessions} answered (${dormantAfterCreates} dormant, ${liveAfterCreates} live); ` +
      `first delta live p50 ${out.live_first_delta_ms.p50} ms, dormant resume p50 ${out.resume_first_delta_ms.p50} ms (max ${out.resume_first_delta_ms.max})`,
  );
  return out;
}
