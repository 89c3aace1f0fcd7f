// The bare SDK baseline: the same CLI flags the platform uses (buildCliOptions),
// started with startup() and driven with warm.query(asyncIterable), in the bench process.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Query, type SDKMessage, type SDKUserMessage, type SpawnedProcess, startup } from '@anthropic-ai/claude-agent-sdk';
import { loadConfig } from '../../src/config/config.js';
import { AsyncQueue } from '../../src/core/cli/async-queue.js';
import { buildCliOptions } from '../../src/core/cli/cli-options.js';
import { killTree } from '../../src/core/cli/process-tree.js';
import { tempDir } from './procs.js';
import { now } from './util.js';

export interface BareTurn {
  ok: boolean;
  deltas: number;
  firstDeltaMs: number;
  totalMs: number;
}

export class BareSession {
  pid = 0;
  private input = new AsyncQueue<SDKUserMessage>();
  private query: Query | null = null;
  private handler: ((m: SDKMessage, at: number) => void) | null = null;
  private constructor(
    private readonly dir: string,
    readonly startMs: number,
  ) {}

  static async start(modelUrl: string): Promise<BareSession> {
    const dir = tempDir('csp-bench-bare-');
    const projectDir = path.join(dir, 'project');
    fs.mkdirSync(projectDir, { recursive: true });
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      ANTHROPIC_BASE_URL: modelUrl,
      ANTHROPIC_API_KEY: 'scripted',
      CLAUDE_CONFIG_DIR: path.join(dir, 'claude-config'),
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      PROJECT_DIR: projectDir,
      PERMISSION_MODE: 'bypassPermissions',
      DATABASE_URL: `sqlite:///${path.join(dir, 'unused.db')}`,
    };
    const config = loadConfig(env);
    const options = buildCliOptions({
      config,
      modelBaseUrl: modelUrl,
      extensions: { options: { settingSources: [] }, fingerprint: '' },
      sessionId: randomUUID(),
      resume: false,
      canUseTool: async (_tool, input) => ({ behavior: 'allow', updatedInput: input }),
    });
    const t0 = now();
    let pid = 0;
    const warm = await startup({
      options: {
        ...options,
        spawnClaudeCodeProcess: (o) => {
          const child = spawn(o.command, o.args, {
            cwd: o.cwd,
            env: o.env as NodeJS.ProcessEnv,
            stdio: ['pipe', 'pipe', 'ignore'],
            detached: true,
          });
          pid = child.pid ?? 0;
          o.signal.addEventListener('abort', () => child.kill('SIGTERM'));
          return child as unknown as SpawnedProcess;
        },
      },
    });
    const s = new BareSession(dir, now() - t0);
    s.pid = pid;
    s.query = warm.query(s.input);
    void (async () => {
      try {
        for await (const m of s.query as Query) s.handler?.(m, now());
      } catch {
        /* closed */
      }
    })();
    return s;
  }

  turn(text: string, timeoutMs = 60_000): Promise<BareTurn> {
    return new Promise((resolve) => {
      let first = Number.NaN;
      let deltas = 0;
      const t0 = now();
      const timer = setTimeout(() => {
        this.handler = null;
        resolve({ ok: false, deltas, firstDeltaMs: first - t0, totalMs: now() - t0 });
      }, timeoutMs);
      this.handler = (m, at) => {
        if (m.type === 'stream_event') {
          const ev = m.event as { type: string; delta?: { type: string; text?: string } };
          if (ev.type === 'content_block_delta' && ev.delta?.type === 'text_delta' && ev.delta.text) {
            if (deltas === 0) first = at;
            deltas++;
          }
        }
        if (m.type === 'result') {
          clearTimeout(timer);
          this.handler = null;
          resolve({ ok: m.subtype === 'success', deltas, firstDeltaMs: first - t0, totalMs: at - t0 });
        }
      };
      this.input.push({ type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null, origin: { kind: 'human' } });
    });
  }

  async close(): Promise<void> {
    this.input.end();
    try {
      this.query?.close();
    } catch {
      /* already closed */
    }
    if (this.pid) await killTree(this.pid);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
