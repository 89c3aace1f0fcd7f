// Every error the platform can return, REST and WebSocket alike, in one table
// (the pattern of fastify's lib/errors.js). Browser-safe: no Node imports.
// The messages of the codes the product contract names are its own, word for word.

export const ERRORS = {
  unauthorized: { status: 401, message: 'Invalid API key' },
  /** What was asked for does not exist (a session unless the message says otherwise). The contract names it
   * `not_found` over REST and `session_not_found` on the WebSocket: one code, two wire names (wsCode). */
  not_found: { status: 404, message: 'Session not found' },
  capacity_exceeded: { status: 503, message: 'Server at capacity. Max sessions: {max}' },
  query_in_progress: { status: 409, message: 'Please wait for the current response to complete.' },
  invalid_message: { status: 400, message: 'Invalid message' },
  invalid_json: { status: 400, message: 'Invalid JSON' },
  internal_error: { status: 500, message: 'Internal server error' },
  session_unavailable: { status: 409, message: 'Session is terminated and cannot be resumed' },
  /** The server is stopping: not a capacity problem, and retrying against this process is pointless. */
  shutting_down: { status: 503, message: 'Server is shutting down' },
  rate_limited: { status: 429, message: 'Too many failed authentication attempts. Try again later.' },
  payload_too_large: { status: 413, message: 'Request body too large' },
  host_not_allowed: { status: 403, message: 'Host not allowed' },
  /** An attachment over the per-file limit, or all of a message's over the per-message limit or count. */
  attachment_too_large: { status: 413, message: 'Attachment too large' },
  /** A media type the model cannot read, or content that is not what the type says. */
  unsupported_attachment: { status: 415, message: 'Unsupported attachment type' },
  /** An authenticated caller without the role for this (a member on an admin route). */
  forbidden: { status: 403, message: 'This needs the admin role' },
  user_not_found: { status: 404, message: 'User not found' },
  token_not_found: { status: 404, message: 'Token not found' },
  /** The bootstrap admin cannot be disabled or demoted, and the last admin cannot be removed. */
  user_protected: { status: 409, message: 'At least one admin must remain' },
  /** The user's monthly cost budget is spent: no new turn until it resets or an admin raises it. */
  budget_exceeded: { status: 403, message: 'Monthly budget of {budget} reached ({spent} spent). It resets on {resets_on}.' },
  /** The user's own limit of live sessions (the server-wide one is capacity_exceeded). */
  session_limit_reached: {
    status: 429,
    message: 'You have reached your limit of {max} live sessions. End one to start another.',
  },
  /** A session asked for bypassPermissions on a server whose PERMISSION_MODE is not bypassPermissions. */
  mode_not_allowed: { status: 403, message: 'Permission mode {mode} is not allowed on this server (PERMISSION_MODE={server})' },
  /** Rewinding files needs FILE_CHECKPOINTING=on and a message whose changes were tracked. */
  rewind_unavailable: { status: 409, message: 'Files cannot be rewound to this message' },
  /** The rewind would change a file outside the session's workspace (a forged checkpoint): nothing was written. */
  rewind_refused: { status: 409, message: "Rewind refused: it would change files outside this session's workspace. Nothing was changed." },
  /** A change authenticated by the sign-in cookie whose Origin is not this server (CSRF). */
  /** A user besides the built-in admin needs the agent jail, and it cannot run on this server (AGENT_JAIL). */
  jail_required: {
    status: 409,
    message:
      'Team users need the agent jail, which cannot run on this server: fix bubblewrap, or restart with AGENT_JAIL=off to run agents unconfined',
  },
  origin_not_allowed: { status: 403, message: 'Origin not allowed: a signed-in browser change must come from this server' },
  /** A workspace path that leaves the session's working folder (`..`, absolute, a link out) or names the server's own files. */
  path_outside_workspace: { status: 403, message: "Path is outside the session's working folder" },
  /** A workspace file over the size the route serves. */
  file_too_large: { status: 413, message: 'File is larger than {max} bytes' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** Error codes of the WebSocket `error` frame (wire names): the contract's six, then our additions. */
export const WS_ERROR_CODES = [
  'query_in_progress',
  'session_not_found',
  'invalid_message',
  'invalid_json',
  'capacity_exceeded',
  'internal_error',
  'session_unavailable',
  'shutting_down',
  'attachment_too_large',
  'unsupported_attachment',
  'budget_exceeded',
  'session_limit_reached',
  'mode_not_allowed',
] as const;
export type WsErrorCode = (typeof WS_ERROR_CODES)[number];

/** The WebSocket's wire name of a code (the contract's `session_not_found` for `not_found`). */
export function wsCode(code: ErrorCode): WsErrorCode {
  return (code === 'not_found' ? 'session_not_found' : code) as WsErrorCode;
}

/** Validation messages, word for word as the contract gives them. */
export const VALIDATION_MESSAGES = {
  emptyMessage: 'Message is empty',
  messageTooLong: 'Message exceeds 32,000 character limit',
  invalidSeq: 'Invalid sequence number',
  invalidSessionId: 'Invalid session id',
  titleLength: 'Title must be 1 to 200 characters',
} as const;

export const MAX_MESSAGE_CHARS = 32_000;
/** A session title's longest length in code points (a default one is cut shorter, see DEFAULT_TITLE_CHARS). */
export const MAX_TITLE_CHARS = 200;
/** A title taken from the first message keeps this many code points. */
export const DEFAULT_TITLE_CHARS = 60;

/** The message for a code, with `{name}` placeholders filled in. */
export function errorMessage(code: ErrorCode, params: Record<string, string | number> = {}): string {
  return ERRORS[code].message.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
}

/** An error that carries a table code; thrown by core, mapped once by REST and WS. */
export class PlatformError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message?: string, params: Record<string, string | number> = {}) {
    super(message ?? errorMessage(code, params));
    this.code = code;
    this.status = ERRORS[code].status;
  }
}
