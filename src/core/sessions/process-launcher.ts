// Starts CLI processes for sessions (new or resumed) and for the pool, and keeps
// the pids this server spawned (the monitor treats every other marked process as
// an orphan; a restarted server ends the ones its last run left).
import type { CanUseTool } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { SessionRepository } from '../../db/ports.js';
import type { SessionPermissionMode } from '../../protocol/messages.js';
import { ClaudeProcess, type SpawnRecord } from '../cli/claude-process.js';
import { buildCliOptions, type ExtensionOptions } from '../cli/cli-options.js';
import { isAlive, killTree, procInfo } from '../cli/process-tree.js';
import { sessionPlacement } from '../jail/session-jail.js';
import type { TranscriptMirror } from '../transcripts/transcript-mirror.js';
import type { Workspaces } from '../workspace/workspaces.js';
import { OrderedWrites } from './ordered-writes.js';

/** A session's own choices; undefined fields keep what it has (or the server's defaults). */
export interface SessionOptions {
  model?: string | undefined;
  permission_mode?: SessionPermissionMode | undefined;
}

export interface LaunchRequest {
  sessionId: string;
  /** Resume the conversation stored under sessionId (false: a fresh one under that id). */
  resume: boolean;
  /** PROJECT_DIR when not given. */
  cwd?: string | undefined;
  /** The session's own options (none: the server's defaults). */
  options?: SessionOptions;
  /** Whose process it is: their config folder, and the jail around it (AGENT_JAIL). */
  ownerId: string;
}

/** What the session life needs to get a process (tests give a fake one). */
export interface ProcessStarter {
  start(req: LaunchRequest): Promise<ClaudeProcess>;
}

export interface LauncherDeps {
  config: Config;
  repo: Pick<SessionRepository, 'rememberProcess' | 'forgetProcess' | 'spawnedProcesses'>;
  log: Logger;
  modelBaseUrl: string | undefined;
  extensions: () => ExtensionOptions;
  workspaces?: Pick<Workspaces, 'othersOf'> | undefined;
  /** The permission policy of a session's tool calls. */
  canUseToolFor: (sessionId: string) => CanUseTool;
  /** Transcripts mirrored to PostgreSQL (core/transcripts/); undefined: local transcripts only. */
  transcripts?: Pick<TranscriptMirror, 'prepare' | 'storeFor'> | undefined;
}

export class ProcessLauncher implements ProcessStarter {
  /** Every CLI pid we have spawned and not yet seen exit (sessions, pool, starts in flight). */
  private readonly spawned = new Set<number>();
  /** Measured cold starts (ms), for session_creating's estimate. */
  private readonly coldStarts: number[] = [];
  /** The spawned-process records: a pid's exit is stored after its spawn. */
  private readonly records: OrderedWrites;

  constructor(private readonly d: LauncherDeps) {
    this.records = new OrderedWrites(d.log);
  }

  /** Async: a config folder that cannot be made fails the start like a CLI that cannot start. */
  async start(req: LaunchRequest): Promise<ClaudeProcess> {
    const { config } = this.d;
    const cwd = req.cwd ?? config.projectDir;
    const extensions = this.d.extensions();
    const pluginDirs = (extensions.options.plugins ?? []).map((p) => p.path);
    const { configDir, jail } = sessionPlacement(config, { cwd, ownerId: req.ownerId, pluginDirs });
    // The owner's folder gets the conversation from the store when another replica served it last.
    if (req.resume) await this.d.transcripts?.prepare(req.sessionId, configDir);
    const sdkOptions = buildCliOptions({
      config,
      modelBaseUrl: this.d.modelBaseUrl,
      extensions,
      sessionId: req.sessionId,
      resume: req.resume,
      canUseTool: this.d.canUseToolFor(req.sessionId),
      cwd,
      otherWorkspaces: this.d.workspaces?.othersOf(cwd) ?? [],
      model: req.options?.model,
      permissionMode: req.options?.permission_mode,
      configDir,
      jailed: jail !== undefined,
      sessionStore: this.d.transcripts?.storeFor(configDir),
    });
    return ClaudeProcess.start({
      sdkOptions,
      ...(jail ? { jail } : {}),
      initializeTimeoutMs: config.prewarmTimeoutSeconds * 1000,
      logger: this.d.log.child({ session_id: req.sessionId }),
      onSpawn: (r: SpawnRecord) => {
        this.spawned.add(r.pid);
        this.records.enqueue(`${r.pid}:${r.startTime}`, 'a spawned process', () =>
          this.d.repo.rememberProcess(r.pid, r.startTime, req.sessionId, config.replicaId),
        );
      },
      onExit: (r: SpawnRecord) => {
        this.spawned.delete(r.pid);
        this.records.enqueue(`${r.pid}:${r.startTime}`, 'a process exit', () => this.d.repo.forgetProcess(r.pid, r.startTime));
      },
    });
  }

  /** CLI pids this server owns. */
  ownedPids(): number[] {
    return [...this.spawned];
  }

  /** Ends the CLI processes an earlier run of this replica spawned that still run (other replicas' records stay). */
  async endLeftovers(): Promise<void> {
    for (const p of await this.d.repo.spawnedProcesses(this.d.config.replicaId)) {
      const info = procInfo(p.pid);
      if (info && info.startTime === p.start_time && isAlive(p.pid)) {
        this.d.log.warn({ pid: p.pid, session_id: p.session_id }, 'ending CLI process left by an earlier server run');
        await killTree(p.pid);
      }
      await this.d.repo.forgetProcess(p.pid, p.start_time);
    }
  }

  /** Resolves when the spawned-process records made so far are stored (before the database closes). */
  recordsSettled(): Promise<void> {
    return this.records.settled();
  }

  /** Records how long a CLI start took (cold starts and pool refills alike). */
  recordStartTime(ms: number): void {
    this.coldStarts.push(ms);
    if (this.coldStarts.length > 20) this.coldStarts.shift();
  }

  estimatedColdStartSeconds(): number {
    if (this.coldStarts.length === 0) return 2;
    const sorted = [...this.coldStarts].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 2000;
    return Math.max(1, Math.ceil(median / 1000));
  }
}
