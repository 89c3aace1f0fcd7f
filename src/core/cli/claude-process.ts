// One Claude Code CLI process and everything it spawned, with one owner and explicit states:
//   starting -> ready -> (attached) -> stopping -> dead
// Every failure signal (process exit, output stream end, SDK error, failed start)
// funnels into markDead(), which runs once. stop() runs once: polite close raced
// against a timeout, then SIGTERM, then SIGKILL of the whole tree, verified gone.
import { spawn } from 'node:child_process';
import {
  type ModelInfo,
  type Options,
  type PermissionMode,
  type Query,
  type RewindFilesResult,
  type SDKMessage,
  type SDKUserMessage,
  type SlashCommand,
  type SpawnedProcess,
  type SpawnOptions,
  startup,
  type WarmQuery,
} from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import type { ContentBlock } from '../conversations/attachments.js';
import { AsyncQueue } from './async-queue.js';
import { isAlive, killTree, procInfo } from './process-tree.js';

export type ProcessState = 'starting' | 'ready' | 'stopping' | 'dead';

export interface ProcessHooks {
  /** Called for every SDK message once attached. */
  onMessage: (msg: SDKMessage) => void;
  /** Called exactly once when the process is gone, for whatever reason. */
  onDead: (reason: string) => void;
}

export interface SpawnRecord {
  pid: number;
  startTime: string;
}

export interface ClaudeProcessOptions {
  sdkOptions: Options;
  initializeTimeoutMs: number;
  logger: Logger;
  /** Told of each pid we spawn (the monitor records them to find orphans later). */
  onSpawn?: (rec: SpawnRecord) => void;
  onExit?: (rec: SpawnRecord) => void;
  /** bubblewrap arguments of the session's jail (before `--`): the CLI and all it starts run inside. */
  jail?: string[];
}

const STDERR_KEEP = 40;
const POLITE_CLOSE_MS = 2000;

export class ClaudeProcess {
  state: ProcessState = 'starting';
  pid: number | null = null;
  startTime = '';
  /** The session id the CLI was started with (new sessions) or resumes. */
  readonly cliSessionId: string | undefined;
  deadReason: string | null = null;
  private child: ReturnType<typeof spawn> | null = null;
  private warm: WarmQuery | null = null;
  private query: Query | null = null;
  private input = new AsyncQueue<SDKUserMessage>();
  private hooks: ProcessHooks | null = null;
  private readonly stderrTail: string[] = [];
  private stopping: Promise<boolean> | null = null;
  private readonly log: Logger;
  private readonly deadWaiters: (() => void)[] = [];

  private constructor(private readonly opts: ClaudeProcessOptions) {
    this.log = opts.logger;
    this.cliSessionId = opts.sdkOptions.sessionId ?? opts.sdkOptions.resume;
  }

  /** Spawns the CLI and completes its initialize handshake (SDK startup()). */
  static async start(opts: ClaudeProcessOptions): Promise<ClaudeProcess> {
    const p = new ClaudeProcess(opts);
    try {
      p.warm = await startup({
        options: { ...opts.sdkOptions, spawnClaudeCodeProcess: (o) => p.spawnChild(o) },
        initializeTimeoutMs: opts.initializeTimeoutMs,
      });
    } catch (e) {
      const why = `start failed: ${(e as Error).message}${p.stderrSummary()}`;
      p.markDead(why);
      await p.stop();
      throw new Error(why);
    }
    if (p.state === 'dead') throw new Error(p.deadReason ?? 'process died during start');
    p.state = 'ready';
    return p;
  }

  /** Connects the streaming input and starts reading output. Once per process. */
  attach(hooks: ProcessHooks): void {
    if (this.hooks) throw new Error('already attached');
    if (!this.warm) throw new Error('not started');
    this.hooks = hooks;
    if (this.state === 'dead') {
      queueMicrotask(() => hooks.onDead(this.deadReason ?? 'dead'));
      return;
    }
    this.query = this.warm.query(this.input);
    void this.pump(this.query);
  }

  /**
   * Sends a user message: the text alone, or the text then content blocks (attachments).
   * `uuid` becomes its transcript id (fork and rewind name messages by it).
   */
  send(text: string, blocks: ContentBlock[] = [], uuid?: string): void {
    if (this.state !== 'ready') throw new Error(`process is ${this.state}`);
    this.input.push({
      type: 'user',
      // A plain string when there is nothing else: the CLI parses slash commands only there.
      message: { role: 'user', content: blocks.length === 0 ? text : [{ type: 'text', text }, ...blocks] },
      parent_tool_use_id: null,
      origin: { kind: 'human' },
      ...(uuid ? { uuid: uuid as `${string}-${string}-${string}-${string}-${string}` } : {}),
    });
  }

  /** The attached query: the SDK's live controls need it (a process is attached once a session adopts it). */
  private controls(): Query {
    if (!this.query || this.state !== 'ready') throw new Error(`process is ${this.query ? this.state : 'not attached'}`);
    return this.query;
  }

  setModel(model: string | undefined): Promise<void> {
    return this.controls().setModel(model);
  }

  async setPermissionMode(mode: PermissionMode): Promise<void> {
    await this.controls().setPermissionMode(mode);
  }

  supportedModels(): Promise<ModelInfo[]> {
    return this.controls().supportedModels();
  }

  supportedCommands(): Promise<SlashCommand[]> {
    return this.controls().supportedCommands();
  }

  rewindFiles(messageId: string, dryRun: boolean): Promise<RewindFilesResult> {
    return this.controls().rewindFiles(messageId, { dryRun });
  }

  /** Asks the CLI to stop the current turn. Resolves true if the request was acknowledged in time. */
  async interrupt(timeoutMs: number): Promise<boolean> {
    if (!this.query || this.state !== 'ready') return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), timeoutMs);
    });
    try {
      return await Promise.race([this.query.interrupt().then(() => true), timeout]);
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }

  stderrSummary(): string {
    const t = this.stderrTail.join('').trim();
    return t ? ` (stderr: ${t.slice(-500)})` : '';
  }

  whenDead(): Promise<void> {
    if (this.state === 'dead') return Promise.resolve();
    return new Promise((r) => this.deadWaiters.push(r));
  }

  /**
   * Ends the process tree. Runs once (later calls share the first's promise).
   * Resolves true when every process of the tree is verified gone.
   */
  stop(): Promise<boolean> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<boolean> {
    if (this.state !== 'dead') this.state = 'stopping';
    const pid = this.pid;
    // 1. Polite: end stdin so the CLI exits by itself, raced against a timeout.
    this.input.end();
    if (pid !== null && isAlive(pid)) {
      const exited = await Promise.race([this.whenExited(), new Promise<false>((r) => setTimeout(() => r(false), POLITE_CLOSE_MS))]);
      if (exited) this.log.debug({ pid }, 'cli exited politely');
    }
    try {
      this.query?.close();
      this.warm?.close();
    } catch {
      /* the SDK may throw on a dead transport */
    }
    // 2./3. SIGTERM then SIGKILL of the whole tree (children such as MCP servers may outlive the CLI).
    let gone = true;
    if (pid !== null) {
      gone = await killTree(pid);
      if (!gone) this.log.error({ pid }, 'cli process tree survived SIGKILL');
      // Let Node reap the child and run its exit handler before stop() resolves.
      if (this.child && !this.exited) await Promise.race([this.whenExited(), new Promise((r) => setTimeout(r, 1000))]);
    }
    this.markDead(this.deadReason ?? 'stopped');
    return gone;
  }

  private exitWaiters: (() => void)[] = [];
  private exited = false;
  private whenExited(): Promise<true> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((r) => this.exitWaiters.push(() => r(true)));
  }

  /** The one place the process is declared dead. Idempotent. */
  markDead(reason: string): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    this.deadReason = reason;
    this.input.end();
    for (const w of this.deadWaiters.splice(0)) w();
    try {
      this.hooks?.onDead(reason);
    } catch (e) {
      this.log.error({ err: e }, 'onDead handler threw');
    }
  }

  private async pump(q: Query): Promise<void> {
    try {
      for await (const msg of q) {
        if (this.state === 'dead') break;
        this.hooks?.onMessage(msg);
      }
      this.markDead(`output ended${this.exitSummary()}`);
    } catch (e) {
      this.markDead(`sdk error: ${(e as Error).message}${this.stderrSummary()}`);
    }
  }

  private exitSummary(): string {
    const c = this.child;
    if (!c || (c.exitCode === null && c.signalCode === null)) return '';
    return c.signalCode ? ` (killed by ${c.signalCode})` : ` (exit code ${c.exitCode})`;
  }

  private spawnChild(o: SpawnOptions): SpawnedProcess {
    // In a jail, bubblewrap is the process we spawn (and own): the CLI is its descendant, so the
    // tree walk, RSS sum and tree kill from this pid cover everything the jail runs.
    const [command, args] = this.opts.jail ? ['bwrap', [...this.opts.jail, '--', o.command, ...o.args]] : [o.command, o.args];
    // detached: the CLI leads its own process group, so the whole tree can be signalled at once.
    const child = spawn(command, args, {
      cwd: o.cwd,
      env: o.env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    if (child.pid !== undefined) {
      this.pid = child.pid;
      this.startTime = procInfo(child.pid)?.startTime ?? '';
      this.opts.onSpawn?.({ pid: child.pid, startTime: this.startTime });
    }
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => {
      this.stderrTail.push(d);
      if (this.stderrTail.length > STDERR_KEEP) this.stderrTail.shift();
      this.log.debug({ pid: this.pid, stderr: d.trimEnd() }, 'cli stderr');
    });
    child.on('error', (e) => this.markDead(`spawn error: ${e.message}`));
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.exitWaiters.splice(0)) w();
      if (this.pid !== null) this.opts.onExit?.({ pid: this.pid, startTime: this.startTime });
      // The process is gone; its output may still hold messages, so let the pump drain first.
      setImmediate(() =>
        this.markDead(
          signal ? `process killed by ${signal}${this.stderrSummary()}` : `process exited with code ${code}${this.stderrSummary()}`,
        ),
      );
    });
    // Our own SIGTERM/SIGKILL path handles the tree; the SDK's forwarded abort
    // only needs to reach the CLI itself after its graceful window.
    o.signal.addEventListener('abort', () => {
      if (!this.exited) child.kill('SIGTERM');
    });
    child.unref();
    return child as unknown as SpawnedProcess;
  }
}
