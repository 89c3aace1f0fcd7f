// A set of platform sessions, one WebSocket connection each (like browser tabs),
// with samplers for RSS and CPU of the server and of every session's process tree.
import { snapshot, treeRss } from '../../src/core/cli/process-tree.js';
import { BenchClient } from './client.js';
import { rememberTree, type ServerProc } from './procs.js';
import { cpuOf, rssMb, treeCpu } from './util.js';

export interface Member {
  id: string;
  client: BenchClient;
  pid: number;
  createMs: number;
  source: string;
}

export class Fleet {
  readonly members: Member[] = [];
  constructor(readonly server: ServerProc) {}

  /** Creates sessions until there are `target`, `batch` at a time. */
  async grow(target: number, batch: number): Promise<{ created: number; failed: number; ms: number[] }> {
    const ms: number[] = [];
    let failed = 0;
    let created = 0;
    while (this.members.length < target) {
      const n = Math.min(batch, target - this.members.length);
      const results = await Promise.allSettled(
        Array.from({ length: n }, async () => {
          const client = await BenchClient.connect(this.server.wsUrl, this.server.key);
          try {
            const r = await client.create(120_000);
            return { client, r };
          } catch (e) {
            await client.close();
            throw e;
          }
        }),
      );
      for (const res of results) {
        if (res.status === 'rejected') {
          failed++;
          continue;
        }
        const { client, r } = res.value;
        const d = await this.server.api('GET', `/api/v1/sessions/${r.id}`);
        this.members.push({ id: r.id, client, pid: d.body.subprocess_pid, createMs: r.ms, source: r.source });
        ms.push(r.ms);
        created++;
      }
      if (failed > target) throw new Error('too many failed creates');
    }
    return { created, failed, ms };
  }

  /** RSS (MB) of the server and of every session tree, from one /proc snapshot. */
  rss(): { server: number; sessions: number[] } {
    const snap = snapshot();
    rememberTree(this.server.pid, snap);
    return { server: rssMb(this.server.pid), sessions: this.members.map((m) => treeRss(m.pid, snap) / 1048576) };
  }

  cpu(): { server: number; clis: number } {
    const snap = snapshot();
    let clis = 0;
    for (const m of this.members) clis += treeCpu(m.pid, snap);
    return { server: cpuOf(this.server.pid)?.self ?? 0, clis };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.members.map((m) => m.client.close()));
  }
}

export interface MemSample {
  t: number;
  server_mb: number;
  sessions_mb: number[];
}

/** Samples memory every `ms` until stopped. */
export function memSampler(fleet: Fleet, ms: number): { stop: () => MemSample[] } {
  const out: MemSample[] = [];
  const t0 = performance.now();
  const take = () => {
    const r = fleet.rss();
    out.push({ t: (performance.now() - t0) / 1000, server_mb: r.server, sessions_mb: r.sessions });
  };
  take();
  const timer = setInterval(take, ms);
  return {
    stop() {
      clearInterval(timer);
      take();
      return out;
    },
  };
}
