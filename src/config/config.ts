// Configuration from the environment. Each variable is written once, in variables.ts (parser, default, help,
// field); this file adds the settings that combine several of them. A bad value stops the server at start with
// one line naming the variable.
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import {
  ENV_SCHEMA,
  ENV_VARIABLES,
  MIN_KEY_CHARS,
  type ParsedEnv,
  type PERMISSION_MODES,
  type SANDBOX_MODES,
  type VariableFields,
  variableFields,
} from './variables.js';

export { ENV_VARIABLES, MIN_KEY_CHARS };
export type SandboxMode = (typeof SANDBOX_MODES)[number];
export type JailMode = SandboxMode;
export type PermissionMode = (typeof PERMISSION_MODES)[number];

/** The settings: every field a variable fills as parsed (see variables.ts), plus these, made of several. */
export interface Config extends VariableFields {
  /** The SQLite file (DATABASE_URL=sqlite:///…); with PostgreSQL, where its folder would be (local files live there). */
  databasePath: string;
  /** DATABASE_URL when it names PostgreSQL (postgres:// or postgresql://), else null (SQLite). */
  postgresUrl: string | null;
  apiKey: string;
  /** True when no key was configured and one was generated for this run. */
  apiKeyGenerated: boolean;
  /** No key and no base URL: the built-in demo model serves the CLI. */
  demoMode: boolean;
  /** Where the CLIs keep their transcripts (CLAUDE_CONFIG_DIR, else ~/.claude): history reads them there. */
  claudeConfigDir: string;
  /** Environment handed to every CLI process (an allowlist of the server's). */
  childEnv: Record<string, string | undefined>;
  /** Browser sign-in with an OpenID provider; null when OIDC_ISSUER is unset. */
  oidc: OidcConfig | null;
  /** Sign-in by a header a trusted proxy sets (oauth2-proxy…); null when AUTH_PROXY_HEADER is unset. */
  authProxy: { header: string; trustedAddresses: string[] } | null;
  /** Fair share: live sessions of a user without a limit of their own once other users exist (at least 1). */
  maxSessionsPerUser: number;
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

/** Parses the environment. Throws ConfigError with one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = ENV_SCHEMA.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name} ${issue?.message ?? 'is invalid'}`);
  }
  const e = parsed.data as ParsedEnv;
  const mb = 1024 * 1024;
  return {
    ...variableFields(e),
    ...e.DATABASE_URL,
    apiKey: e.CLAUDE_SDK_PATTERN_API_KEY || randomBytes(24).toString('base64url'),
    apiKeyGenerated: !e.CLAUDE_SDK_PATTERN_API_KEY,
    demoMode: !e.ANTHROPIC_API_KEY && !e.ANTHROPIC_BASE_URL,
    claudeConfigDir: path.resolve(e.CLAUDE_CONFIG_DIR || path.join(env.HOME || os.homedir(), '.claude')),
    childEnv: childEnvFrom(env, e.CHILD_ENV_PASSTHROUGH),
    oidc: oidcFrom(e),
    authProxy: authProxyFrom(e),
    maxSessionsPerUser: e.MAX_SESSIONS_PER_USER ?? Math.max(1, Math.floor(e.MAX_SESSIONS / 2)),
    attachments: {
      maxFileBytes: e.ATTACHMENT_MAX_FILE_MB * mb,
      maxMessageBytes: e.ATTACHMENT_MAX_MESSAGE_MB * mb,
      maxFiles: e.ATTACHMENT_MAX_FILES,
    },
  };
}

function oidcFrom(e: ParsedEnv): OidcConfig | null {
  if (!e.OIDC_ISSUER) {
    for (const k of ['OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_ADMIN_GROUP', 'OIDC_ALLOWED_GROUP'] as const)
      if (e[k]) throw new ConfigError(`Invalid configuration: ${k} is set but OIDC_ISSUER is not`);
    return null;
  }
  if (!e.OIDC_CLIENT_ID) throw new ConfigError('Invalid configuration: OIDC_CLIENT_ID is required with OIDC_ISSUER');
  if (!e.PUBLIC_URL)
    throw new ConfigError(
      'Invalid configuration: PUBLIC_URL is required with OIDC_ISSUER (the redirect URI is PUBLIC_URL/auth/oidc/callback)',
    );
  return {
    issuer: e.OIDC_ISSUER,
    clientId: e.OIDC_CLIENT_ID,
    clientSecret: e.OIDC_CLIENT_SECRET ?? '',
    scopes: e.OIDC_SCOPES,
    groupsClaim: e.OIDC_GROUPS_CLAIM,
    adminGroup: e.OIDC_ADMIN_GROUP ?? '',
    allowedGroup: e.OIDC_ALLOWED_GROUP ?? '',
    redirectUri: `${e.PUBLIC_URL}/auth/oidc/callback`,
  };
}

function authProxyFrom(e: ParsedEnv): Config['authProxy'] {
  const trusted = e.TRUSTED_PROXY_ADDRESSES;
  if (!e.AUTH_PROXY_HEADER) {
    if (trusted.length) throw new ConfigError('Invalid configuration: TRUSTED_PROXY_ADDRESSES is set but AUTH_PROXY_HEADER is not');
    return null;
  }
  // Without a list anyone could name any user: refuse to start rather than trust every peer.
  if (!trusted.length)
    throw new ConfigError('Invalid configuration: AUTH_PROXY_HEADER needs TRUSTED_PROXY_ADDRESSES (the proxies that set it)');
  return { header: e.AUTH_PROXY_HEADER, trustedAddresses: trusted };
}

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
