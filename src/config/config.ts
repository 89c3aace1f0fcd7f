// Configuration from the environment (the documented table plus the additions in docs/decisions.md).
// A bad value stops the server at start with one line naming the variable.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ATTACHMENT_DEFAULTS } from '../protocol/attachments.js';

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
const seconds = (def: number, unit = 'seconds') =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return def;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) {
        ctx.addIssue({ code: 'custom', message: `must be a positive number of ${unit}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    });

/** Shorter configured keys refuse to start: a short key falls to guessing even at the rate limit. */
export const MIN_KEY_CHARS = 16;

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'WARN', 'ERROR', 'CRITICAL', 'FATAL'] as const;
const PERMISSION_MODES = ['default', 'acceptEdits', 'bypassPermissions', 'plan'] as const;
const SANDBOX_MODES = ['on', 'off', 'auto'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

const EnvSchema = z.object({
  CLAUDE_SDK_PATTERN_API_KEY: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^[\x20-\x7e]*$/.test(v), 'must be printable ASCII characters')
    .refine(
      (v) => v === undefined || v === '' || v.length >= MIN_KEY_CHARS,
      `must be at least ${MIN_KEY_CHARS} characters (try: openssl rand -base64 24)`,
    )
    .refine((v) => v === undefined || v.length <= 256, 'must be at most 256 characters'),
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
  HISTORY_PAGE_SIZE: int(200, 1),
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
    // Loopback unless told otherwise: the container image sets HOST=0.0.0.0 itself.
    .transform((v) => v || '127.0.0.1'),
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
  ALLOWED_HOSTS: z.string().optional(),
  CLAUDE_MODEL: z.string().optional(),
  CLAUDE_CONFIG_DIR: z.string().optional(),
  SESSION_EVICTION: z
    .string()
    .optional()
    .transform((v) => v || 'idle')
    .refine((v) => v === 'idle' || v === 'off', 'must be idle or off'),
  SANDBOX: z
    .string()
    .optional()
    .transform((v) => (v || 'auto').toLowerCase())
    .refine((v) => (SANDBOX_MODES as readonly string[]).includes(v), `must be one of ${SANDBOX_MODES.join(', ')}`),
  SANDBOX_ALLOWED_DOMAINS: z.string().optional(),
  TRUST_PROXY: z
    .string()
    .optional()
    .refine(
      (v) => v === undefined || v === '' || /^\d+$/.test(v) || v.split(',').every((s) => /^[\d.:a-fA-F]+(\/\d+)?$/.test(s.trim())),
      'must be a hop count or a comma list of proxy addresses (CIDR allowed)',
    ),
  AUTH_FAILURES_PER_MINUTE: int(10, 1),
  MAX_SOCKETS_PER_ADDRESS: int(20, 1),
  WS_PING_INTERVAL_SECONDS: seconds(30),
  CHILD_ENV_PASSTHROUGH: z.string().optional(),
  WORKSPACES: z
    .string()
    .optional()
    .transform((v) => (v || 'shared').toLowerCase())
    .refine((v) => v === 'shared' || v === 'per-user', 'must be shared or per-user'),
  PUBLIC_URL: z
    .string()
    .optional()
    .refine((v) => !v || (URL.canParse(v) && /^https?:$/.test(new URL(v).protocol)), 'must be an http(s) URL'),
  OIDC_ISSUER: z
    .string()
    .optional()
    .refine((v) => !v || (URL.canParse(v) && /^https?:$/.test(new URL(v).protocol)), 'must be an http(s) URL'),
  OIDC_CLIENT_ID: z.string().optional(),
  OIDC_CLIENT_SECRET: z.string().optional(),
  OIDC_SCOPES: z.string().optional(),
  OIDC_GROUPS_CLAIM: z.string().optional(),
  OIDC_ADMIN_GROUP: z.string().optional(),
  OIDC_ALLOWED_GROUP: z.string().optional(),
  SESSION_COOKIE_HOURS: seconds(12, 'hours'),
  AUTH_PROXY_HEADER: z
    .string()
    .optional()
    .refine((v) => !v || /^[A-Za-z0-9-]+$/.test(v), 'must be an HTTP header name'),
  TRUSTED_PROXY_ADDRESSES: z
    .string()
    .optional()
    .refine(
      (v) => !v || v.split(',').every((s) => /^[\d.:a-fA-F]+(\/\d+)?$/.test(s.trim())),
      'must be a comma list of addresses (CIDR allowed)',
    ),
  NOTIFY_WEBHOOK_URL: z
    .string()
    .optional()
    .refine((v) => !v || (URL.canParse(v) && /^https?:$/.test(new URL(v).protocol)), 'must be an http(s) URL'),
  ATTACHMENT_MAX_FILE_MB: int(ATTACHMENT_DEFAULTS.maxFileMb, 1),
  ATTACHMENT_MAX_MESSAGE_MB: int(ATTACHMENT_DEFAULTS.maxMessageMb, 1).refine((n) => n <= 64, 'must be at most 64'),
  ATTACHMENT_MAX_FILES: int(ATTACHMENT_DEFAULTS.maxFiles, 0).refine((n) => n <= 100, 'must be at most 100'),
  FILE_CHECKPOINTING: z
    .string()
    .optional()
    .transform((v) => (v || 'on').toLowerCase())
    .refine((v) => v === 'on' || v === 'off', 'must be on or off'),
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
  /** Messages in session_history and in each load_history page. */
  historyPageSize: number;
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
  /** Host names (besides loopback names and IP literals) the WebSocket accepts in Host; `*` for any. */
  allowedHosts: string[];
  model: string | undefined;
  /** The CLI backs up files before its tools change them, so "Rewind files" can restore them. */
  fileCheckpointing: boolean;
  /** Where the CLIs keep their transcripts (CLAUDE_CONFIG_DIR, else ~/.claude): history reads them there. */
  claudeConfigDir: string;
  /** At MAX_SESSIONS: `idle` releases the least recently used idle session's process (dormant); `off` answers 503. */
  sessionEviction: 'idle' | 'off';
  /** Bash confinement: `auto` is resolved to on/off at start by probing bubblewrap. */
  sandbox: SandboxMode;
  /** Domains sandboxed commands may reach; empty means none. */
  sandboxAllowedDomains: string[];
  /** Fastify `trustProxy`: hop count or proxy addresses; undefined trusts no X-Forwarded-For. */
  trustProxy: number | string[] | undefined;
  authFailuresPerMinute: number;
  maxSocketsPerAddress: number;
  wsPingIntervalSeconds: number;
  /** Environment handed to every CLI process (an allowlist of the server's). */
  childEnv: Record<string, string | undefined>;
  /** `per-user`: each user's agents work in PROJECT_DIR/users/<user id>; `shared`: all in PROJECT_DIR. */
  workspaces: 'shared' | 'per-user';
  /** The address users reach the server at (no trailing slash): the OIDC redirect URI and links start with it. */
  publicUrl: string | undefined;
  /** Browser sign-in with an OpenID provider; null when OIDC_ISSUER is unset. */
  oidc: OidcConfig | null;
  /** Lifetime of a browser sign-in (the cookie and its row), in hours. */
  sessionCookieHours: number;
  /** Sign-in by a header a trusted proxy sets (oauth2-proxy…); null when AUTH_PROXY_HEADER is unset. */
  authProxy: { header: string; trustedAddresses: string[] } | null;
  /** Receives a JSON POST per finished, failed or permission-waiting turn; undefined: none. */
  notifyWebhookUrl: string | undefined;
  /** Attachment limits (bytes once decoded); the WebSocket frame limit follows the per-message one. */
  attachments: { maxFileBytes: number; maxMessageBytes: number; maxFiles: number };
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  /** Empty: a public client (PKCE only). */
  clientSecret: string;
  scopes: string;
  groupsClaim: string;
  /** Members of this group are admins, on every sign-in; empty: roles are managed in the app. */
  adminGroup: string;
  /** When set, only members of this group (or the admin group) may sign in. */
  allowedGroup: string;
  redirectUri: string;
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
  const publicUrl = e.PUBLIC_URL ? e.PUBLIC_URL.replace(/\/+$/, '') : undefined;
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
    historyPageSize: e.HISTORY_PAGE_SIZE,
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
    allowedOrigins: list(e.ALLOWED_ORIGINS),
    allowedHosts: list(e.ALLOWED_HOSTS).map((h) => h.toLowerCase()),
    model: e.CLAUDE_MODEL || undefined,
    fileCheckpointing: e.FILE_CHECKPOINTING === 'on',
    claudeConfigDir: path.resolve(e.CLAUDE_CONFIG_DIR || path.join(env.HOME || os.homedir(), '.claude')),
    sessionEviction: e.SESSION_EVICTION as 'idle' | 'off',
    sandbox: e.SANDBOX as SandboxMode,
    sandboxAllowedDomains: list(e.SANDBOX_ALLOWED_DOMAINS),
    trustProxy: !e.TRUST_PROXY ? undefined : /^\d+$/.test(e.TRUST_PROXY) ? Number(e.TRUST_PROXY) : list(e.TRUST_PROXY),
    authFailuresPerMinute: e.AUTH_FAILURES_PER_MINUTE,
    maxSocketsPerAddress: e.MAX_SOCKETS_PER_ADDRESS,
    wsPingIntervalSeconds: e.WS_PING_INTERVAL_SECONDS,
    childEnv: childEnvFrom(env, list(e.CHILD_ENV_PASSTHROUGH)),
    workspaces: e.WORKSPACES as 'shared' | 'per-user',
    publicUrl,
    oidc: oidcFrom(e, publicUrl),
    sessionCookieHours: e.SESSION_COOKIE_HOURS,
    authProxy: authProxyFrom(e),
    notifyWebhookUrl: e.NOTIFY_WEBHOOK_URL || undefined,
    attachments: {
      maxFileBytes: e.ATTACHMENT_MAX_FILE_MB * 1024 * 1024,
      maxMessageBytes: e.ATTACHMENT_MAX_MESSAGE_MB * 1024 * 1024,
      maxFiles: e.ATTACHMENT_MAX_FILES,
    },
  };
}

function oidcFrom(e: z.infer<typeof EnvSchema>, publicUrl: string | undefined): OidcConfig | null {
  if (!e.OIDC_ISSUER) {
    for (const k of ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_ADMIN_GROUP', 'OIDC_ALLOWED_GROUP'] as const)
      if (e[k]) throw new ConfigError(`Invalid configuration: ${k} is set but OIDC_ISSUER is not`);
    return null;
  }
  if (!e.OIDC_CLIENT_ID) throw new ConfigError('Invalid configuration: OIDC_CLIENT_ID is required with OIDC_ISSUER');
  if (!publicUrl)
    throw new ConfigError(
      'Invalid configuration: PUBLIC_URL is required with OIDC_ISSUER (the redirect URI is PUBLIC_URL/auth/oidc/callback)',
    );
  return {
    issuer: e.OIDC_ISSUER,
    clientId: e.OIDC_CLIENT_ID,
    clientSecret: e.OIDC_CLIENT_SECRET ?? '',
    scopes: e.OIDC_SCOPES || 'openid profile email',
    groupsClaim: e.OIDC_GROUPS_CLAIM || 'groups',
    adminGroup: e.OIDC_ADMIN_GROUP ?? '',
    allowedGroup: e.OIDC_ALLOWED_GROUP ?? '',
    redirectUri: `${publicUrl}/auth/oidc/callback`,
  };
}

function authProxyFrom(e: z.infer<typeof EnvSchema>): Config['authProxy'] {
  const trusted = list(e.TRUSTED_PROXY_ADDRESSES);
  if (!e.AUTH_PROXY_HEADER) {
    if (trusted.length) throw new ConfigError('Invalid configuration: TRUSTED_PROXY_ADDRESSES is set but AUTH_PROXY_HEADER is not');
    return null;
  }
  // Without a list anyone could name any user: refuse to start rather than trust every peer.
  if (!trusted.length)
    throw new ConfigError('Invalid configuration: AUTH_PROXY_HEADER needs TRUSTED_PROXY_ADDRESSES (the proxies that set it)');
  return { header: e.AUTH_PROXY_HEADER.toLowerCase(), trustedAddresses: trusted };
}

const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/** Variables the CLI, its tools and the model need; everything else of the server's stays out. */
const CHILD_ENV_NAMES = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'TZ',
  'TMPDIR',
  'TERM',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'ALL_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'all_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'CLAUDE_CONFIG_DIR',
  'API_TIMEOUT_MS',
  'MAX_THINKING_TOKENS',
  'MCP_TIMEOUT',
  'MCP_TOOL_TIMEOUT',
]);
const CHILD_ENV_PREFIXES = ['LC_', 'ANTHROPIC_', 'CLAUDE_CODE_', 'DISABLE_', 'BASH_', 'XDG_'];
/** Cloud credentials pass only when the CLI is told to use that cloud for the model. */
const CLOUD_PREFIXES: [flag: string, prefixes: string[]][] = [
  ['CLAUDE_CODE_USE_BEDROCK', ['AWS_']],
  ['CLAUDE_CODE_USE_VERTEX', ['GOOGLE_', 'CLOUD_ML_', 'VERTEX_', 'GCLOUD_']],
];

/** What every CLI process gets: an allowlist of the server's environment (what the CLI, its
 * tools and the model need), plus CHILD_ENV_PASSTHROUGH names (`NAME` or `PREFIX_*`). The
 * platform's own variables never pass, whatever the passthrough says. */
export function childEnvFrom(env: Record<string, string | undefined>, passthrough: string[] = []): Record<string, string | undefined> {
  const prefixes = [...CHILD_ENV_PREFIXES];
  for (const [flag, p] of CLOUD_PREFIXES) if (env[flag] && env[flag] !== '0') prefixes.push(...p);
  const extraNames = new Set(passthrough.filter((p) => !p.endsWith('*')));
  prefixes.push(...passthrough.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1)));
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || k.startsWith('CLAUDE_SDK_PATTERN_')) continue;
    if (CHILD_ENV_NAMES.has(k) || extraNames.has(k) || prefixes.some((p) => p && k.startsWith(p))) out[k] = v;
  }
  out.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC ??= '1';
  return out;
}
