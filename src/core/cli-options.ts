// Builds the SDK options of one CLI process from the configuration, the
// extensions and the session it serves. The one place CLI flags are decided.
import type { CanUseTool, Options } from '@anthropic-ai/claude-agent-sdk';
import type { Config } from '../config/config.js';

/** What the extension loader contributes (MCP servers, plugins, setting sources). */
export interface ExtensionOptions {
  options: Partial<Options>;
  /** Changes whenever the extensions on disk change; warm processes of another fingerprint are stale. */
  fingerprint: string;
}

export interface CliOptionsInput {
  config: Config;
  /** Where the model is: the configured ANTHROPIC_BASE_URL or the demo model's URL. */
  modelBaseUrl: string | undefined;
  extensions: ExtensionOptions;
  /** New session id, or the session to resume. */
  sessionId: string;
  resume: boolean;
  canUseTool: CanUseTool;
}

export function buildCliOptions(i: CliOptionsInput): Options {
  const { config } = i;
  const env: Record<string, string | undefined> = { ...config.childEnv };
  if (i.modelBaseUrl) env.ANTHROPIC_BASE_URL = i.modelBaseUrl;
  // The demo model ignores the key, but the CLI will not start without one.
  if (config.demoMode) env.ANTHROPIC_API_KEY = 'demo-model-needs-no-key';
  // Bounded retries: a failing model API must reach the user in seconds, not minutes.
  env.CLAUDE_CODE_MAX_RETRIES ??= '2';
  const bypass = config.permissionMode === 'bypassPermissions';
  return {
    ...i.extensions.options,
    cwd: config.projectDir,
    env,
    includePartialMessages: true,
    // bypassPermissions is refused by the CLI as root; a canUseTool that allows
    // everything gives the same behaviour everywhere (docs/decisions.md).
    permissionMode: bypass ? 'default' : config.permissionMode,
    canUseTool: i.canUseTool,
    ...(config.model ? { model: config.model } : {}),
    ...(i.resume ? { resume: i.sessionId } : { sessionId: i.sessionId }),
  };
}
