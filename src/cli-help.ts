// `claude-sdk-pattern --help`: the environment variables the server reads (config.ts parses them).
import type { ENV_VARIABLES } from './config/config.js';

/** One line per variable: default, then what it does. A test checks every variable config.ts reads is here. */
export const ENV_HELP: Record<(typeof ENV_VARIABLES)[number], string> = {
  CLAUDE_SDK_PATTERN_API_KEY: 'API key for REST, WebSocket and /metrics (16+ characters; generated and printed when unset)',
  ANTHROPIC_API_KEY: 'Claude API key; without it (and ANTHROPIC_BASE_URL) a built-in demo model answers',
  ANTHROPIC_BASE_URL: 'model API base URL (a proxy or gateway)',
  PREWARM_POOL_SIZE: '(2) warm CLI processes kept ready',
  MAX_SESSIONS: '(10) sessions holding a process at once',
  MAX_SESSION_DURATION_SECONDS: '(14400) a session is ended after this long',
  MAX_SESSION_RSS_MB: '(2048) memory limit of one session process tree; over it the process restarts',
  SESSION_IDLE_TIMEOUT_SECONDS: '(1800) an idle session is ended after this long',
  PREWARM_TIMEOUT_SECONDS: '(60) bound on one CLI start',
  MONITOR_INTERVAL_SECONDS: '(30) subprocess monitor sweep interval',
  PERMISSION_TIMEOUT_SECONDS: '(120) an unanswered permission prompt is denied after this long',
  HISTORY_PAGE_SIZE: '(200) messages sent when a session opens, and per page of earlier ones',
  SHUTDOWN_GRACE_SECONDS: '(30) on SIGTERM, running turns get this long to finish',
  MEMORY_RESTART_GRACE_SECONDS: '(60) no memory check this long after a memory restart',
  MODEL_TIMEOUT_SECONDS: '(120) bound on one model request',
  MODEL_MAX_RETRIES: '(2) model request retries',
  DATABASE_URL: '(sqlite:///data/sessions.db) SQLite file; three slashes = relative to the working folder',
  HOST: '(127.0.0.1) address to listen on; 0.0.0.0 behind a TLS proxy (set TRUST_PROXY)',
  PORT: '(8000) port to listen on',
  LOG_LEVEL: '(INFO) TRACE, DEBUG, INFO, WARNING, ERROR or CRITICAL',
  PROJECT_DIR: '(.) folder the agents work in; mcp.json, skills/ and commands/ are read from it',
  PERMISSION_MODE: '(default) default, acceptEdits, bypassPermissions or plan',
  ALLOWED_ORIGINS: 'extra browser origins allowed to open the WebSocket (comma list, * for any)',
  CLAUDE_MODEL: 'model name handed to the CLI',
  CLAUDE_CONFIG_DIR: "the CLI's config and transcripts (default ~/.claude)",
  SESSION_EVICTION: '(idle) at MAX_SESSIONS, idle sessions release their process (off: refuse with 503)',
  ALLOWED_HOSTS: 'host names the WebSocket accepts besides loopback names, IP literals and HOST (comma list, * for any)',
  SANDBOX: '(auto) on, off or auto: Bash runs in bubblewrap (auto: when bubblewrap and socat work here)',
  SANDBOX_ALLOWED_DOMAINS: 'domains sandboxed commands may reach (comma list; none by default)',
  TRUST_PROXY: 'proxy addresses (comma list, CIDR) or a hop count whose X-Forwarded-For is believed',
  AUTH_FAILURES_PER_MINUTE: '(10) failed authentications per client address before 429',
  MAX_SOCKETS_PER_ADDRESS: '(20) open WebSockets per client address',
  WS_PING_INTERVAL_SECONDS: '(30) WebSocket ping interval; a peer silent for one interval is dropped',
  CHILD_ENV_PASSTHROUGH: 'extra variables passed to the CLI (comma list of NAME or PREFIX_*)',
  WORKSPACES: '(shared) shared: every agent works in PROJECT_DIR; per-user: in PROJECT_DIR/users/<user id> (no pre-warm pool)',
  PUBLIC_URL: 'the address users reach the server at (https://chat.example.com); the OIDC redirect URI is PUBLIC_URL/auth/oidc/callback',
  OIDC_ISSUER: 'browser sign-in with this OpenID provider (its issuer URL); needs OIDC_CLIENT_ID and PUBLIC_URL',
  OIDC_CLIENT_ID: 'client id registered at the OpenID provider',
  OIDC_CLIENT_SECRET: 'client secret (empty: a public client, PKCE only)',
  OIDC_SCOPES: '(openid profile email) scopes asked for; add the one that releases the groups claim if needed',
  OIDC_GROUPS_CLAIM: '(groups) claim of the ID token or userinfo that lists the groups',
  OIDC_ADMIN_GROUP: 'members of this group are admins (checked at every sign-in); unset: roles are set in the app',
  OIDC_ALLOWED_GROUP: 'only members of this group (or the admin group) may sign in; unset: everyone the provider signs in',
  SESSION_COOKIE_HOURS: '(12) a browser sign-in lasts this long',
  AUTH_PROXY_HEADER: 'header naming the signed-in user, set by a trusted proxy (oauth2-proxy: X-Forwarded-User)',
  TRUSTED_PROXY_ADDRESSES: 'addresses (comma list, CIDR) whose AUTH_PROXY_HEADER is believed; from any other it is refused',
  NOTIFY_WEBHOOK_URL: 'JSON POST when a turn ends, fails or asks permission (ids, title, PUBLIC_URL link; never message text)',
  ATTACHMENT_MAX_FILE_MB: '(5) largest attached file (the model API refuses images over 5 MB)',
  ATTACHMENT_MAX_MESSAGE_MB: '(20) all attachments of one message together; the WebSocket frame limit follows (at most 64)',
  ATTACHMENT_MAX_FILES: '(20) attachments per message (0 turns attachments off)',
  FILE_CHECKPOINTING: '(on) on or off: the CLI backs up files before its tools change them, for "Rewind files to here"',
};

export function helpText(version: string): string {
  const width = Math.max(...Object.keys(ENV_HELP).map((k) => k.length));
  const vars = Object.entries(ENV_HELP)
    .map(([k, v]) => `  ${k.padEnd(width)}  ${v}`)
    .join('\n');
  return `claude-sdk-pattern ${version}: chat with Claude agents in the browser.

Usage: claude-sdk-pattern            start the server (configured by the environment)
       claude-sdk-pattern --version  print the version
       claude-sdk-pattern --help     print this help

Environment variables:
${vars}

Open the URL it prints. More in README.md.
`;
}
