// Builds the SDK options of one CLI process from the configuration, the
// extensions and the session it serves. The one place CLI flags are decided.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { CanUseTool, Options, PermissionMode, SandboxSettings, SessionStore } from '@anthropic-ai/claude-agent-sdk';
import type { Config } from '../../config/config.js';
import { usersRoot } from '../workspace/workspaces.js';

/** Environment variable that marks a process as started by this platform instance. */
export const INSTANCE_ENV = 'CLAUDE_SDK_PATTERN_INSTANCE';

/**
 * One id per database and replica: two servers on two databases, or two replicas of one database
 * on one host, never reap each other's processes.
 */
export function instanceId(config: Pick<Config, 'databasePath' | 'replicaId'>): string {
  return createHash('sha256').update(`${config.databasePath}\0${config.replicaId}`).digest('hex').slice(0, 16);
}

/** What the extension loader contributes (MCP servers, plugins, setting sources). */
/**
 * The CLI binary, resolved once. Without it the SDK calls process.report.getReport()
 * on every start to tell glibc from musl: ~8.5 ms of blocked event loop per CLI start
 * (benchmarks F2). Undefined: the SDK finds the binary itself.
 */
export const CLAUDE_EXECUTABLE: string | undefined = (() => {
  const req = createRequire(import.meta.url);
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  const base = `@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}`;
  const musl = process.platform === 'linux' && !report?.header?.glibcVersionRuntime;
  for (const pkg of musl ? [`${base}-musl`, base] : [base, `${base}-musl`]) {
    try {
      return req.resolve(`${pkg}/claude${process.platform === 'win32' ? '.exe' : ''}`);
    } catch {
      /* not installed: try the next */
    }
  }
  return undefined;
})();

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
  /** The session's working folder (PROJECT_DIR, or the user's own folder with WORKSPACES=per-user). */
  cwd?: string;
  /** With WORKSPACES=per-user: the other users' folders, which the file tools may not touch. */
  otherWorkspaces?: string[];
  /** The session's own choices (undefined: the server's CLAUDE_MODEL / PERMISSION_MODE). */
  model?: string | undefined;
  permissionMode?: string | undefined;
  /** This session's user's CLAUDE_CONFIG_DIR (default: the configured one). */
  configDir?: string;
  /** The CLI runs in its jail: the jail keeps the file system, Bash's sandbox keeps the network. */
  jailed?: boolean;
  /** Where the SDK mirrors the transcript (DATABASE_URL=postgres://…: core/transcripts/). */
  sessionStore?: SessionStore | undefined;
}

/** The mode the CLI gets: bypassPermissions is refused by the CLI as root, so our canUseTool allows everything instead. */
export function cliPermissionMode(mode: string): PermissionMode {
  return mode === 'bypassPermissions' ? 'default' : (mode as PermissionMode);
}

export function buildCliOptions(i: CliOptionsInput): Options {
  const { config } = i;
  const env: Record<string, string | undefined> = { ...config.childEnv };
  // The CLI writes transcripts where the server's history reads them.
  env.CLAUDE_CONFIG_DIR = i.configDir ?? config.claudeConfigDir;
  if (i.modelBaseUrl) env.ANTHROPIC_BASE_URL = i.modelBaseUrl;
  // The demo model ignores the key, but the CLI will not start without one.
  if (config.demoMode) env.ANTHROPIC_API_KEY = 'demo-model-needs-no-key';
  // Bounded retries and timeouts: a failing or hanging model API must reach the
  // user in seconds, not minutes (the CLI's defaults are 10 retries, 10 minutes).
  env.CLAUDE_CODE_MAX_RETRIES ??= String(config.modelMaxRetries);
  env.API_TIMEOUT_MS ??= String(config.modelTimeoutSeconds * 1000);
  env.CLAUDE_STREAM_IDLE_TIMEOUT_MS ??= String(config.modelTimeoutSeconds * 1000);
  // Marks every process we start (and its children) as ours, for the orphan sweep.
  env[INSTANCE_ENV] = instanceId(config);
  // The SDK refuses enableFileCheckpointing beside a sessionStore because its own store-backed resume
  // runs in a temporary config folder without the backups; ours resumes in the owner's folder, where
  // they are, so the CLI gets the same switch directly (docs/decisions.md, transcripts on PostgreSQL).
  if (i.sessionStore && config.fileCheckpointing) env.CLAUDE_CODE_ENABLE_SDK_FILE_CHECKPOINTING = 'true';
  const model = i.model ?? config.model;
  return {
    ...i.extensions.options,
    // MCP env and headers go over stdin, never onto the world-readable command line.
    mcpServersDelivery: 'initialize',
    // Deny rules win in every permission mode (and over our canUseTool).
    disallowedTools: [...protectedPathRules(config.projectDir), ...otherWorkspaceRules(i.otherWorkspaces ?? [])],
    ...(config.sandbox === 'on' ? { sandbox: sandboxSettings(config, i.cwd ?? config.projectDir, i.jailed ?? false) } : {}),
    cwd: i.cwd ?? config.projectDir,
    env,
    includePartialMessages: true,
    // bypassPermissions is refused by the CLI as root; a canUseTool that allows
    // everything gives the same behaviour everywhere (docs/decisions.md).
    permissionMode: cliPermissionMode(i.permissionMode ?? config.permissionMode),
    canUseTool: i.canUseTool,
    // Rewind files to a message (Query.rewindFiles): the CLI backs up each file before a tool changes it.
    ...(config.fileCheckpointing && !i.sessionStore ? { enableFileCheckpointing: true } : {}),
    // Each transcript line goes to the store as soon as the CLI wrote it (not at the end of the turn): the
    // SDK's buffer lives in this process, so a replica killed after a turn would otherwise take that turn with it.
    ...(i.sessionStore ? { sessionStore: i.sessionStore, sessionStoreFlush: 'eager' as const } : {}),
    ...(model ? { model } : {}),
    ...(CLAUDE_EXECUTABLE ? { pathToClaudeCodeExecutable: CLAUDE_EXECUTABLE } : {}),
    ...(i.resume ? { resume: i.sessionId } : { sessionId: i.sessionId }),
  };
}

/** A path as configured and, when it differs, with its links resolved (the sandbox matches either spelling). */
function realAndConfigured(p: string): string[] {
  try {
    const real = fs.realpathSync(p);
    return real === p ? [p] : [p, real];
  } catch {
    return [p];
  }
}

/** The project's extension files: whoever changes them runs commands at the next CLI start. */
export function protectedPaths(projectDir: string): string[] {
  const dirs = new Set([projectDir]);
  try {
    dirs.add(fs.realpathSync(projectDir));
  } catch {
    /* not there yet: the configured spelling only */
  }
  return [...dirs].flatMap((d) => ['mcp.json', 'skills', 'commands'].map((n) => path.join(d, n)));
}

/** `Edit(...)` rules cover every file-writing tool (Write, Edit, MultiEdit, NotebookEdit);
 * `//` anchors a rule at the filesystem root, and a path names its whole subtree. */
function protectedPathRules(projectDir: string): string[] {
  return protectedPaths(projectDir).flatMap((p) => [`Edit(/${p})`, `Edit(/${p}/**)`]);
}

/** Other users' folders: no file tool reads or writes them (`Read(...)` covers Read, Glob and Grep). */
function otherWorkspaceRules(dirs: string[]): string[] {
  return dirs.flatMap((p) => [`Read(/${p})`, `Read(/${p}/**)`, `Edit(/${p})`, `Edit(/${p}/**)`]);
}

/** Files of the server that a sandboxed command may not read: the database (every session's
 * record), the CLI's credentials and every session's transcript. Listed one by one, not the
 * whole data folder: it can be HOME and hold the CLI's shell snapshots, which Bash needs. */
export function secretPaths(config: Pick<Config, 'databasePath' | 'claudeConfigDir'>): string[] {
  return [
    ...['', '-wal', '-shm', '-journal'].map((s) => config.databasePath + s),
    path.join(config.claudeConfigDir, '.credentials.json'),
    path.join(config.claudeConfigDir, 'projects'),
  ];
}

/** Bash runs in bubblewrap: writes only in its working folder and temp (never the extension
 * files), no reads of the server's data, network only to listed domains, no model key in its env.
 * With WORKSPACES=per-user the working folder is the user's own, and PROJECT_DIR/users is
 * unreadable but for that one folder: no user's command reaches another's files. */
function sandboxSettings(config: Config, cwd: string, jailed: boolean): SandboxSettings {
  const perUser = config.workspaces === 'per-user';
  const users = perUser ? realAndConfigured(usersRoot(config.projectDir)) : [];
  return {
    enabled: true,
    failIfUnavailable: true,
    // Sandboxed commands still go through the permission flow of PERMISSION_MODE.
    autoAllowBashIfSandboxed: false,
    // The model cannot ask to run a command outside the sandbox.
    allowUnsandboxedCommands: false,
    // In the jail the file system is the jail's (what is hidden is not mounted at all, what is
    // read-only is mounted so): the sandbox's own file rules would only add phantom files
    // (/dev/null bound over absent dotfiles), so it keeps the network and seccomp only.
    // Nested in the jail, the sandbox cannot mount a fresh /proc (the kernel refuses it under the
    // jail's covered one): it shows the jail's own /proc, which holds only this session's processes.
    ...(jailed ? { enableWeakerNestedSandbox: true } : {}),
    filesystem: jailed
      ? { disabled: true }
      : {
          // Writes are confined to the working folder already: another user's folder is never in it.
          denyWrite: protectedPaths(config.projectDir),
          denyRead: [...secretPaths(config), ...users],
          ...(perUser ? { allowRead: realAndConfigured(cwd) } : {}),
        },
    network: { allowedDomains: config.sandboxAllowedDomains },
    credentials: {
      envVars: ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN'].map((name) => ({ name, mode: 'deny' as const })),
    },
  };
}
