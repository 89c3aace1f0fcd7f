// Every environment variable the server reads, written once: its parser (which holds the default and the
// error message), the default shown by --help, the help line, and the Config field it fills (when it fills
// one directly). The Config type, the loader and --help all derive from this table.
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ATTACHMENT_DEFAULTS } from '../protocol/attachments.js';

/** Shorter configured keys refuse to start: a short key falls to guessing even at the rate limit. */
export const MIN_KEY_CHARS = 16;

type Parser<T> = z.ZodType<T, string | undefined>;
interface Variable {
  schema: Parser<unknown>;
  /** Shown in --help as "(default)". */
  default?: string;
  help: string;
  /** The Config field this variable fills as parsed; absent when Config derives it with others. */
  field?: string;
}

const isBlank = (v: string | undefined): v is undefined | '' => v === undefined || v.trim() === '';

const int = (def: number, min: number, max?: number) => ({
  default: String(def),
  schema: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (isBlank(v)) return def;
      if (!/^-?\d+$/.test(v.trim())) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number, got "${v}"` });
        return z.NEVER;
      }
      const n = Number(v);
      if (n < min) {
        ctx.addIssue({ code: 'custom', message: `must be at least ${min}, got ${n}` });
        return z.NEVER;
      }
      if (max !== undefined && n > max) {
        ctx.addIssue({ code: 'custom', message: `must be at most ${max}` });
        return z.NEVER;
      }
      return n;
    }),
});

/** A whole number or unset (undefined: the setting derives its value from others). */
const optionalInt = (min: number) => ({
  schema: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (isBlank(v)) return undefined;
      if (!/^\d+$/.test(v.trim()) || Number(v) < min) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number of at least ${min}, got "${v}"` });
        return z.NEVER;
      }
      return Number(v);
    }),
});

/** A positive number; fractions allowed (tests run the monitor at 0.25 s). */
const positive = (def: number, unit = 'seconds') => ({
  default: String(def),
  schema: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (isBlank(v)) return def;
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) {
        ctx.addIssue({ code: 'custom', message: `must be a positive number of ${unit}, got "${v}"` });
        return z.NEVER;
      }
      return n;
    }),
});

/** One of a few words; `case` folds what was typed first. Two choices read "must be a or b". */
const oneOf = <const T extends readonly string[]>(def: T[number], values: T, fold: 'upper' | 'lower' | 'none' = 'none') => ({
  default: def,
  schema: z
    .string()
    .optional()
    .transform((v) => {
      const s = v || def;
      return fold === 'upper' ? s.toUpperCase() : fold === 'lower' ? s.toLowerCase() : s;
    })
    .refine(
      (v): v is T[number] => values.includes(v),
      values.length === 2 ? `must be ${values[0]} or ${values[1]}` : `must be one of ${values.join(', ')}`,
    )
    .transform((v) => v as T[number]),
});

/** Free text; unset or empty is `undefined`. */
const text = () => ({
  schema: z
    .string()
    .optional()
    .transform((v) => v || undefined),
});

const textOr = (def: string) => ({
  default: def,
  schema: z
    .string()
    .optional()
    .transform((v) => v || def),
});

const httpUrl = () => ({
  schema: z
    .string()
    .optional()
    .refine((v) => !v || (URL.canParse(v) && /^https?:$/.test(new URL(v).protocol)), 'must be an http(s) URL')
    .transform((v) => v || undefined),
});

/** A comma list; blanks dropped. */
export const list = (v: string | undefined): string[] =>
  (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const commaList = (fold: (s: string) => string = (s) => s) => ({
  schema: z
    .string()
    .optional()
    .transform((v) => list(v).map(fold)),
});
const isAddressList = (v: string) => v.split(',').every((s) => /^[\d.:a-fA-F]+(\/\d+)?$/.test(s.trim()));

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARNING', 'WARN', 'ERROR', 'CRITICAL', 'FATAL'] as const;
const PINO_LEVEL = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARNING: 'warn',
  WARN: 'warn',
  ERROR: 'error',
  CRITICAL: 'fatal',
  FATAL: 'fatal',
} as const;
export const PERMISSION_MODES = ['default', 'acceptEdits', 'bypassPermissions', 'plan'] as const;
export const SANDBOX_MODES = ['on', 'off', 'auto'] as const;

export const VARIABLES = {
  CLAUDE_SDK_PATTERN_API_KEY: {
    help: 'API key for REST, WebSocket and /metrics (16+ characters; generated and printed when unset)',
    schema: z
      .string()
      .optional()
      .refine((v) => v === undefined || v === '' || /^[\x20-\x7e]*$/.test(v), 'must be printable ASCII characters')
      .refine(
        (v) => v === undefined || v === '' || v.length >= MIN_KEY_CHARS,
        `must be at least ${MIN_KEY_CHARS} characters (try: openssl rand -base64 24)`,
      )
      .refine((v) => v === undefined || v.length <= 256, 'must be at most 256 characters'),
  },
  ANTHROPIC_API_KEY: {
    ...text(),
    field: 'anthropicApiKey',
    help: 'Claude API key; without it (and ANTHROPIC_BASE_URL) a built-in demo model answers',
  },
  ANTHROPIC_BASE_URL: {
    field: 'anthropicBaseUrl',
    help: 'model API base URL (a proxy or gateway)',
    schema: z
      .string()
      .optional()
      .refine((v) => !v || URL.canParse(v), 'must be a URL')
      .transform((v) => v || undefined),
  },
  PREWARM_POOL_SIZE: { ...int(2, 0), field: 'prewarmPoolSize', help: 'warm CLI processes kept ready' },
  MAX_SESSIONS: { ...int(10, 1), field: 'maxSessions', help: 'sessions holding a process at once' },
  EXPENSIVE_REQUESTS_PER_MINUTE: {
    ...int(120, 1),
    field: 'expensiveRequestsPerMinute',
    help: 'per user: attachment fetches, exports, searches, forks and rewinds a minute (over it: 429)',
  },
  OIDC_LOGIN_STARTS_PER_MINUTE: {
    ...int(20, 1),
    field: 'oidcLoginStartsPerMinute',
    help: 'sign-ins with the identity provider one client address may start per minute (over it: 429)',
  },
  MAX_SESSIONS_PER_USER: {
    ...optionalInt(1),
    help: 'once other users exist, live sessions of a user with no limit of their own (unset: half of MAX_SESSIONS, at least 1; a lone admin keeps all)',
  },
  MAX_SESSION_DURATION_SECONDS: {
    ...int(14400, 1),
    field: 'maxSessionDurationSeconds',
    help: 'a session is ended after this long',
  },
  MAX_SESSION_RSS_MB: {
    ...int(2048, 1),
    field: 'maxSessionRssMb',
    help: 'memory limit of one session process tree; over it the process restarts',
  },
  SESSION_IDLE_TIMEOUT_SECONDS: {
    ...int(1800, 1),
    field: 'sessionIdleTimeoutSeconds',
    help: 'an idle session is ended after this long',
  },
  PREWARM_TIMEOUT_SECONDS: { ...int(60, 1), field: 'prewarmTimeoutSeconds', help: 'bound on one CLI start' },
  MONITOR_INTERVAL_SECONDS: { ...positive(30), field: 'monitorIntervalSeconds', help: 'subprocess monitor sweep interval' },
  PERMISSION_TIMEOUT_SECONDS: {
    ...int(120, 1),
    field: 'permissionTimeoutSeconds',
    help: 'an unanswered permission prompt is denied after this long',
  },
  HISTORY_PAGE_SIZE: {
    ...int(200, 1),
    field: 'historyPageSize',
    help: 'messages sent when a session opens, and per page of earlier ones',
  },
  SHUTDOWN_GRACE_SECONDS: {
    ...int(30, 0),
    field: 'shutdownGraceSeconds',
    help: 'on SIGTERM, running turns get this long to finish',
  },
  MEMORY_RESTART_GRACE_SECONDS: {
    ...int(60, 0),
    field: 'memoryRestartGraceSeconds',
    help: 'no memory check this long after a memory restart',
  },
  MODEL_TIMEOUT_SECONDS: {
    ...int(120, 1),
    field: 'modelTimeoutSeconds',
    help: 'bound on one model request (connect, first byte, stalls) before the CLI retries or fails',
  },
  MODEL_MAX_RETRIES: { ...int(2, 0), field: 'modelMaxRetries', help: 'model request retries' },
  DATABASE_URL: {
    default: 'sqlite:///data/sessions.db',
    help: 'sqlite:///file.db (SQLite, one host; three slashes = relative to the working folder) or postgres://user:password@host/db (PostgreSQL, for replicas)',
    schema: z
      .string()
      .optional()
      .transform((v) => v?.trim() || 'sqlite:///data/sessions.db')
      .refine(
        (v) => /^sqlite:\/\/\/.+/.test(v) || /^postgres(ql)?:\/\/.+/.test(v),
        'must look like sqlite:///path/to/file.db or postgres://user@host/database',
      )
      // sqlite:///data/x.db is relative (as SQLAlchemy reads it); sqlite:////abs/x.db is absolute. On PostgreSQL
      // the local files (attachments, per-user CLI folders) stay in the default database's folder, ./data.
      .transform((v) =>
        v.startsWith('sqlite:')
          ? { databasePath: path.resolve(v.slice('sqlite:///'.length)), postgresUrl: null }
          : { databasePath: path.resolve('data/sessions.db'), postgresUrl: v },
      ),
  },
  // Loopback unless told otherwise: the container image sets HOST=0.0.0.0 itself.
  HOST: { ...textOr('127.0.0.1'), field: 'host', help: 'address to listen on; 0.0.0.0 behind a TLS proxy (set TRUST_PROXY)' },
  PORT: { ...int(8000, 0, 65535), field: 'port', help: 'port to listen on' },
  // Unset: the host name (a Kubernetes pod's name), so replicas differ without configuration.
  REPLICA_ID: {
    field: 'replicaId',
    help: "this replica's name among those sharing one database (default: the host name); its restart ends only its own sessions and processes",
    schema: z
      .string()
      .optional()
      .transform((v) => (isBlank(v) ? os.hostname() : v.trim()))
      .refine((v) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(v), 'must be 1-128 letters, digits, dots, dashes or underscores'),
  },
  SESSION_LEASE_SECONDS: {
    ...int(15, 1, 3600),
    field: 'sessionLeaseSeconds',
    help: 'a replica that has not renewed for this long is taken for gone (its row in the replicas view goes stale)',
  },
  LOG_LEVEL: {
    default: 'INFO',
    field: 'logLevel',
    help: 'TRACE, DEBUG, INFO, WARNING, ERROR or CRITICAL',
    schema: oneOf('INFO', LOG_LEVELS, 'upper').schema.transform((v) => PINO_LEVEL[v]),
  },
  PROJECT_DIR: {
    default: '.',
    field: 'projectDir',
    help: 'folder the agents work in; mcp.json, skills/ and commands/ are read from it',
    schema: z
      .string()
      .optional()
      .transform((v) => path.resolve(v || '.')),
  },
  PERMISSION_MODE: {
    ...oneOf('default', PERMISSION_MODES),
    field: 'permissionMode',
    help: 'default, acceptEdits, bypassPermissions or plan',
  },
  // Empty: same-origin only (plus non-browser clients).
  ALLOWED_ORIGINS: {
    ...commaList(),
    field: 'allowedOrigins',
    help: "extra browser origins trusted like this server's own pages, for the WebSocket and sign-in cookie changes (comma list, * for any)",
  },
  ALLOWED_HOSTS: {
    ...commaList((h) => h.toLowerCase()),
    field: 'allowedHosts',
    help: 'host names the WebSocket accepts besides loopback names, IP literals and HOST (comma list, * for any)',
  },
  CLAUDE_MODEL: { ...text(), field: 'model', help: 'model name handed to the CLI' },
  CLAUDE_CONFIG_DIR: { ...text(), help: "the CLI's config and transcripts (default ~/.claude)" },
  SESSION_EVICTION: {
    ...oneOf('idle', ['idle', 'off']),
    field: 'sessionEviction',
    help: 'at MAX_SESSIONS, idle sessions release their process (off: refuse with 503)',
  },
  // `auto` is resolved to on/off at start by probing bubblewrap.
  SANDBOX: {
    ...oneOf('auto', SANDBOX_MODES, 'lower'),
    field: 'sandbox',
    help: 'on, off or auto: Bash runs in bubblewrap (auto: when bubblewrap and socat work here)',
  },
  // Each session's CLI in its own bubblewrap jail; `auto` is resolved to on/off at start by probing.
  AGENT_JAIL: {
    ...oneOf('auto', SANDBOX_MODES, 'lower'),
    field: 'agentJail',
    help: "on, off or auto: each session's CLI runs in its own bubblewrap jail (auto: where it works; required with per-user workspaces or team users unless off)",
  },
  SANDBOX_ALLOWED_DOMAINS: {
    ...commaList(),
    field: 'sandboxAllowedDomains',
    help: 'domains sandboxed commands may reach (comma list; none by default)',
  },
  // Fastify `trustProxy`: undefined trusts no X-Forwarded-For.
  TRUST_PROXY: {
    field: 'trustProxy',
    help: 'proxy addresses (comma list, CIDR) or a hop count whose X-Forwarded-For is believed',
    schema: z
      .string()
      .optional()
      .refine((v) => !v || /^\d+$/.test(v) || isAddressList(v), 'must be a hop count or a comma list of proxy addresses (CIDR allowed)')
      .transform((v): number | string[] | undefined => (!v ? undefined : /^\d+$/.test(v) ? Number(v) : list(v))),
  },
  AUTH_FAILURES_PER_MINUTE: {
    ...int(10, 1),
    field: 'authFailuresPerMinute',
    help: 'failed authentications per client address before 429',
  },
  MAX_SOCKETS_PER_ADDRESS: { ...int(20, 1), field: 'maxSocketsPerAddress', help: 'open WebSockets per client address' },
  WS_PING_INTERVAL_SECONDS: {
    ...positive(30),
    field: 'wsPingIntervalSeconds',
    help: 'WebSocket ping interval; a peer silent for one interval is dropped',
  },
  CHILD_ENV_PASSTHROUGH: { ...commaList(), help: 'extra variables passed to the CLI (comma list of NAME or PREFIX_*)' },
  WORKSPACES: {
    ...oneOf('shared', ['shared', 'per-user'], 'lower'),
    field: 'workspaces',
    help: 'shared: every agent works in PROJECT_DIR; per-user: in PROJECT_DIR/users/<user id> (no pre-warm pool)',
  },
  PUBLIC_URL: {
    field: 'publicUrl',
    help: 'the address users reach the server at (https://chat.example.com); the OIDC redirect URI is PUBLIC_URL/auth/oidc/callback',
    schema: httpUrl().schema.transform((v) => v?.replace(/\/+$/, '')),
  },
  OIDC_ISSUER: {
    ...httpUrl(),
    help: 'browser sign-in with this OpenID provider (its issuer URL); needs OIDC_CLIENT_ID and PUBLIC_URL',
  },
  OIDC_CLIENT_ID: { ...text(), help: 'client id registered at the OpenID provider' },
  OIDC_CLIENT_SECRET: { ...text(), help: 'client secret (empty: a public client, PKCE only)' },
  OIDC_SCOPES: {
    ...textOr('openid profile email'),
    help: 'scopes asked for; add the one that releases the groups claim if needed',
  },
  OIDC_GROUPS_CLAIM: { ...textOr('groups'), help: 'claim of the ID token or userinfo that lists the groups' },
  OIDC_ADMIN_GROUP: {
    ...text(),
    help: 'members of this group are admins (checked at every sign-in); unset: roles are set in the app',
  },
  OIDC_ALLOWED_GROUP: {
    ...text(),
    help: 'only members of this group (or the admin group) may sign in; unset: everyone the provider signs in',
  },
  SESSION_COOKIE_HOURS: { ...positive(12, 'hours'), field: 'sessionCookieHours', help: 'a browser sign-in lasts this long' },
  AUTH_PROXY_HEADER: {
    help: 'header naming the signed-in user, set by a trusted proxy (oauth2-proxy: X-Forwarded-User)',
    schema: z
      .string()
      .optional()
      .refine((v) => !v || /^[A-Za-z0-9-]+$/.test(v), 'must be an HTTP header name')
      .transform((v) => v?.toLowerCase() || undefined),
  },
  TRUSTED_PROXY_ADDRESSES: {
    help: 'addresses (comma list, CIDR) whose AUTH_PROXY_HEADER is believed; from any other it is refused',
    schema: z
      .string()
      .optional()
      .refine((v) => !v || isAddressList(v), 'must be a comma list of addresses (CIDR allowed)')
      .transform(list),
  },
  NOTIFY_WEBHOOK_URL: {
    ...httpUrl(),
    field: 'notifyWebhookUrl',
    help: 'JSON POST when a turn ends, fails or asks permission (ids, title, PUBLIC_URL link; never message text)',
  },
  ATTACHMENT_MAX_FILE_MB: {
    ...int(ATTACHMENT_DEFAULTS.maxFileMb, 1),
    help: 'largest attached file (the model API refuses images over 5 MB)',
  },
  ATTACHMENT_MAX_MESSAGE_MB: {
    ...int(ATTACHMENT_DEFAULTS.maxMessageMb, 1, 64),
    help: 'all attachments of one message together; the WebSocket frame limit follows (at most 64)',
  },
  ATTACHMENT_MAX_FILES: {
    ...int(ATTACHMENT_DEFAULTS.maxFiles, 0, 100),
    help: 'attachments per message (0 turns attachments off)',
  },
  FILE_CHECKPOINTING: {
    default: 'on',
    field: 'fileCheckpointing',
    help: 'on or off: the CLI backs up files before its tools change them, for "Rewind files to here"',
    schema: oneOf('on', ['on', 'off'], 'lower').schema.transform((v) => v === 'on'),
  },
} as const satisfies Record<string, Variable>;

type Variables = typeof VARIABLES;
export type VariableName = keyof Variables;
/** Every variable the server reads (the --help text lists each). */
export const ENV_VARIABLES = Object.keys(VARIABLES) as VariableName[];

/** The parsed value of every variable, by name. */
export type ParsedEnv = { [K in VariableName]: z.output<Variables[K]['schema']> };
/** The Config fields variables fill directly, typed by their parsers. */
export type VariableFields = {
  [K in VariableName as Variables[K] extends { field: infer F extends string } ? F : never]: z.output<Variables[K]['schema']>;
};

export const ENV_SCHEMA = z.object(
  Object.fromEntries(ENV_VARIABLES.map((name) => [name, VARIABLES[name].schema])) as { [K in VariableName]: Variables[K]['schema'] },
);

/** The directly filled Config fields of a parsed environment. */
export function variableFields(e: ParsedEnv): VariableFields {
  const out: Record<string, unknown> = {};
  for (const name of ENV_VARIABLES) {
    const v: Variable = VARIABLES[name];
    if (v.field) out[v.field] = e[name];
  }
  return out as VariableFields;
}

/** The --help line of a variable: "(default) what it does". */
export function helpLine(name: VariableName): string {
  const v: Variable = VARIABLES[name];
  return v.default === undefined ? v.help : `(${v.default}) ${v.help}`;
}
