// A stand-in for a CLI process: no child, no model. It answers each message with
// a finished turn (or holds it with `hold`), dies on demand, and starts through a
// fake starter that can be made to fail. For fast unit tests of the session life.
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import type { ClaudeProcess, ProcessHooks } from '../core/cli/claude-process.js';
import type { LaunchRequest, ProcessStarter } from '../core/sessions/process-launcher.js';

let nextPid = 900_000;

export class FakeProcess {
  readonly pid = nextPid++;
  state: 'ready' | 'dead' = 'ready';
  private hooks: ProcessHooks | null = null;
  /** Messages sent to it (the text of each). */
  readonly sent: string[] = [];
  /** When set, a message starts a turn that only finish() ends. */
  hold = false;

  constructor(readonly cliSessionId: string) {}

  attach(hooks: ProcessHooks): void {
    this.hooks = hooks;
  }

  send(text: string): void {
    this.sent.push(text);
    if (!this.hold) this.finish('ok');
  }

  /** Ends the turn in flight with an answer. */
  finish(text: string): void {
    const msg = { type: 'result', subtype: 'success', is_error: false, total_cost_usd: 0.01, num_turns: 1, result: text };
    this.hooks?.onMessage(msg as unknown as SDKMessage);
  }

  /** The process dies on its own (a crash). */
  crash(reason = 'killed'): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    this.hooks?.onDead(reason);
  }

  async stop(): Promise<boolean> {
    this.crash('stopped');
    return true;
  }

  async interrupt(): Promise<boolean> {
    return true;
  }

  async setModel(): Promise<void> {}
  async setPermissionMode(): Promise<void> {}
  async supportedModels(): Promise<[]> {
    return [];
  }
  async supportedCommands(): Promise<[]> {
    return [];
  }
}

export class FakeStarter implements ProcessStarter {
  readonly started: (LaunchRequest & { proc: FakeProcess })[] = [];
  /** The error the next start fails with (then cleared). */
  failNext: Error | null = null;

  async start(req: LaunchRequest): Promise<ClaudeProcess> {
    await Promise.resolve();
    if (this.failNext) {
      const e = this.failNext;
      this.failNext = null;
      throw e;
    }
    const proc = new FakeProcess(req.sessionId);
    this.started.push({ ...req, proc });
    return proc as unknown as ClaudeProcess;
  }

  /** The newest process started for a session. */
  of(sessionId: string): FakeProcess {
    const p = this.started.findLast((s) => s.sessionId === sessionId)?.proc;
    if (!p) throw new Error(`no process for ${sessionId}`);
    return p;
  }
}
