// What the CLI offers (its models and slash commands), read from a running
// process's init answer, once per extension set: of a live session's process,
// else of a short-lived process started for the question.
import type { ModelInfo, SlashCommand } from '@anthropic-ai/claude-agent-sdk';
import { PlatformError } from '../../protocol/errors.js';
import type { ClaudeProcess } from '../cli/claude-process.js';

export interface Catalog {
  models: ModelInfo[];
  commands: SlashCommand[];
}

export interface CatalogDeps {
  /** The extensions' fingerprint: another one means another catalog. */
  fingerprint(): string;
  /** Processes of live sessions, to ask first. */
  liveProcesses(): Iterable<ClaudeProcess>;
  /** Starts a process of nobody's, for the question only. */
  startThrowaway(): Promise<ClaudeProcess>;
  shuttingDown(): boolean;
}

export class CliCatalog {
  private cached: { fingerprint: string; value: Promise<Catalog> } | null = null;

  constructor(private readonly d: CatalogDeps) {}

  get(): Promise<Catalog> {
    const fingerprint = this.d.fingerprint();
    if (this.cached?.fingerprint !== fingerprint) {
      const value = this.read();
      this.cached = { fingerprint, value };
      value.catch(() => {
        if (this.cached?.value === value) this.cached = null;
      });
    }
    return this.cached.value;
  }

  /** Refuses a model the CLI does not list (an empty list: the CLI did not say, so anything goes). */
  async checkModel(model: string): Promise<void> {
    const { models } = await this.get();
    if (models.length > 0 && !models.some((m) => m.value === model || m.resolvedModel === model))
      throw new PlatformError('invalid_message', `Unknown model: ${model}. GET /api/v1/models lists the available ones.`);
  }

  private async read(): Promise<Catalog> {
    for (const proc of this.d.liveProcesses()) {
      try {
        return { models: await proc.supportedModels(), commands: await proc.supportedCommands() };
      } catch {
        /* not attached yet, or gone: try the next */
      }
    }
    if (this.d.shuttingDown()) throw new PlatformError('shutting_down');
    const proc = await this.d.startThrowaway();
    try {
      proc.attach({ onMessage: () => {}, onDead: () => {} });
      return { models: await proc.supportedModels(), commands: await proc.supportedCommands() };
    } finally {
      await proc.stop();
    }
  }
}
