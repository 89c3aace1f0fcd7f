// Processes that carry a server's instance marker in their environment: every
// CLI it starts and everything those start (shells, background jobs, MCP servers).
import fs from 'node:fs';
import { loadConfig } from '../../src/config/config.js';
import { INSTANCE_ENV, instanceId } from '../../src/core/cli/cli-options.js';
import { isAlive, procInfo } from '../../src/core/cli/process-tree.js';

export interface MarkedProcess {
  pid: number;
  startTime: string;
  cmd: string;
}

/** The marker value of the server that `env` configures. */
export function instanceOf(env: Record<string, string>): string {
  return instanceId(loadConfig(env));
}

export function markedProcesses(instance: string): MarkedProcess[] {
  const out: MarkedProcess[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    try {
      if (!fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`${INSTANCE_ENV}=${instance}`)) continue;
    } catch {
      continue; // gone, or not ours to read
    }
    const info = procInfo(pid);
    if (info && info.state !== 'Z') out.push({ pid, startTime: info.startTime, cmd: info.cmd });
  }
  return out;
}

/** Resolves once none of the processes runs (pid reuse is told apart by start time); rejects at the deadline. */
export async function waitAllGone(procs: MarkedProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    const alive = procs.filter((p) => isAlive(p.pid, p.startTime));
    if (alive.length === 0) return;
    if (Date.now() > deadline) throw new Error(`still running: ${JSON.stringify(alive)}`);
    await new Promise((r) => setTimeout(r, delay));
  }
}
