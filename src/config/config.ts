// Configuration from the environment (the documented table plus the additions in docs/decisions.md).
// A bad value stops the server at start with one line naming the variable.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

const int = (def: number, min: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      if (!/^-?\d+$/.test(v.trim())) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number, got "${v}"` });
        return z.NEVER;
      }
      const n = Number(v);
      if (n < min) {
        ctx.addIssue({ code: 'custom', message: `must be at least ${min}, got ${n}` });
        return z.NEVER;
      }
      return n;
    });

/** A positive number of seconds; fractions allowed (tests run the monitor at 0.25 s). */
const seconds = (def: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) {
        ctx.addIssue({ code: 'custom', message: `must be a positive number of seconds, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'WARN', 'ERROR', 'CRITICAL', 'FATAL'] as const;
const PERMISSION_MODES = ['default', 'acceptEdits', 'bypassPermissions', 'plan'] as const;

const EnvSchema = z.object({
  CLAUDE_SDK_PATTERN_API_KEY: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^[\x20-\x7e]{1,256}$/.test(v), 'must be 1-256 printable ASCII characters'),
  ANTHROPIC_API_KEY: z.string().optional(),
  ANTHROPIC_BASE_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || URL.canParse(v), 'must be a URL'),
  PREWARM_POOL_SIZE: int(2, 0),
  MAX_SESSIONS: int(10, 1),
  MAX_SESSION_DURATION_SECONDS: int(14400, 1),
  MAX_SESSION_RSS_MB: int(2048, 1),
  SESSION_IDLE_TIMEOUT_SECONDS: int(1800, 1),
  PREWARM_TIMEOUT_SECONDS: int(60, 1),
  MONITOR_INTERVAL_SECONDS: seconds(30),
  PERMISSION_TIMEOUT_SECONDS: int(120, 1),
  SHUTDOWN_GRACE_SECONDS: int(30, 0),
  MEMORY_RESTART_GRACE_SECONDS: int(60, 0),
  MODEL_TIMEOUT_SECONDS: int(120, 1),
  MODEL_MAX_RETRIES: int(2, 0),
  DATABASE_URL: z
    .string()
    .optional()
    .transform((v) => v || 'sqlite:///data/sessions.db')
    .refine((v) => /^sqlite:\/\/\/.+/.test(v), 'must look like sqlite:///path/to/file.db'),
  HOST: z
    .string()
    .optional()
    .transform((v) => v || '0.0.0.0'),
  PORT: int(8000, 0).refine((n) => n <= 65535, 'must be at most 65535'),
  LOG_LEVEL: z
    .string()
    .optional()
    .transform((v) => (v || 'INFO').toUpperCase())
    .refine((v) => (LOG_LEVELS as readonly string[]).includes(v), `must be one of ${LOG_LEVELS.join(', ')}`),
  PROJECT_DIR: z
    .string()
    .optional()
    .transform((v) => v || '.'),
  PERMISSION_MODE: z
    .string()
    .optional()
    .transform((v) => v || 'default')
    .refine((v) => (PERMISSION_MODES as readonly string[]).includes(v), `must be one of ${PERMISSION_MODES.join(', ')}`),
  ALLOWED_ORIGINS: z.string().optional(),
  CLAUDE_MODEL: z.string().optional(),
  CLAUDE_CONFIG_DIR: z.string().optional(),
  SESSION_EVICTION: z
    .string()
    .optional()
    .transform((v) => v || 'idle')
    .refine((v) => v === 'idle' || v === 'off', 'must be idle or off'),
});

/** Every variable the server reads (the --help text lists each). */
export const ENV_VARIABLES = Object.keys(EnvSchema.shape) as (keyof typeof EnvSchema.shape)[];

export type PermissionMode = (typeof PERMISSION_MODES)[number];

export interface Config {
  apiKey: string;
  /** True when no key was configured and one was generated for this run. */
  apiKeyGenerated: boolean;
  anthropicApiKey: string | undefined;
  anthropicBaseUrl: string | undefined;
  /** No key and no base URL: the built-in demo model serves the CLI. */
  demoMode: boolean;
  prewarmPoolSize: number;
  maxSessions: number;
  maxSessionDurationSeconds: number;
  maxSessionRssMb: number;
  sessionIdleTimeoutSeconds: number;
  prewarmTimeoutSeconds: number;
  monitorIntervalSeconds: number;
  permissionTimeoutSeconds: number;
  shutdownGraceSeconds: number;
  /** After a memory restart, the new process is not memory-checked for this long. */
  memoryRestartGraceSeconds: number;
  /** Bound on one model request (connect, first byte, stalls) before the CLI retries or fails. */
  modelTimeoutSeconds: number;
  modelMaxRetries: number;
  databasePath: string;
  host: string;
  port: number;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  projectDir: string;
  permissionMode: PermissionMode;
  /** Origins allowed to open the WebSocket; empty means same-origin only (plus non-browser clients). */
  allowedOrigins: string[];
  model: string | undefined;
  /** Where the CLIs keep their transcripts (CLAUDE_CONFIG_DIR, else ~/.claude): history reads them there. */
  claudeConfigDir: string;
  /** At MAX_SESSIONS: `idle` releases the least recently used idle session's process (dormant); `off` answers 503. */
  sessionEviction: 'idle' | 'off';
  /** Environment handed to every CLI process. */
  childEnv: Record<string, string | undefined>;
}

export class ConfigError extends Error {}

const PINO_LEVEL: Record<string, Config['logLevel']> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  WARN: 'warn',
  ERROR: 'error',
  CRITICAL: 'fatal',
  FATAL: 'fatal',
};

/** Parses the environment. Throws ConfigError with one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name} ${issue?.message ?? 'is invalid'}`);
  }
  const e = parsed.data;
  const generated = !e.CLAUDE_SDK_PATTERN_API_KEY;
  const dbFile = e.DATABASE_URL.slice('sqlite:///'.length);
  const anthropicApiKey = e.ANTHROPIC_API_KEY || undefined;
  const anthropicBaseUrl = e.ANTHROPIC_BASE_URL || undefined;
  return {
    apiKey: e.CLAUDE_SDK_PATTERN_API_KEY || randomBytes(24).toString('base64url'),
    apiKeyGenerated: generated,
    anthropicApiKey,
    anthropicBaseUrl,
    demoMode: !anthropicApiKey && !anthropicBaseUrl,
    prewarmPoolSize: e.PREWARM_POOL_SIZE,
    maxSessions: e.MAX_SESSIONS,
    maxSessionDurationSeconds: e.MAX_SESSION_DURATION_SECONDS,
    maxSessionRssMb: e.MAX_SESSION_RSS_MB,
    sessionIdleTimeoutSeconds: e.SESSION_IDLE_TIMEOUT_SECONDS,
    prewarmTimeoutSeconds: e.PREWARM_TIMEOUT_SECONDS,
    monitorIntervalSeconds: e.MONITOR_INTERVAL_SECONDS,
    permissionTimeoutSeconds: e.PERMISSION_TIMEOUT_SECONDS,
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    memoryRestartGraceSeconds: e.MEMORY_RESTART_GRACE_SECONDS,
    modelTimeoutSeconds: e.MODEL_TIMEOUT_SECONDS,
    modelMaxRetries: e.MODEL_MAX_RETRIES,
    // sqlite:///data/x.db is relative (as SQLAlchemy reads it); sqlite:////abs/x.db is absolute.
    databasePath: path.resolve(dbFile),
    host: e.HOST,
    port: e.PORT,
    logLevel: PINO_LEVEL[e.LOG_LEVEL] ?? 'info',
    projectDir: path.resolve(e.PROJECT_DIR),
    permissionMode: e.PERMISSION_MODE as PermissionMode,
    allowedOrigins: (e.ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    model: e.CLAUDE_MODEL || undefined,
    claudeConfigDir: path.resolve(e.CLAUDE_CONFIG_DIR || path.join(env.HOME || os.homedir(), '.claude')),
    sessionEviction: e.SESSION_EVICTION as 'idle' | 'off',
    childEnv: childEnvFrom(env),
  };
}

/** What every CLI process gets: the whole environment (proxies, CLAUDE_CONFIG_DIR, ANTHROPIC_*),
 * minus our own API key, which the agent has no business reading through a Bash tool. */
function childEnvFrom(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = { ...env };
  delete out.CLAUDE_SDK_PATTERN_API_KEY;
  out.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC ??= '1';
  return out;
}
