// The WebSocket and REST contracts, defined once. Server, web client
// and tests import these schemas; types come from z.infer. Browser-safe.
import { z } from 'zod';
import { MAX_MESSAGE_CHARS, MAX_TITLE_CHARS, VALIDATION_MESSAGES, WS_ERROR_CODES } from './errors.js';
import { ReplicaFigures } from './replicas.js';

// ---------------------------------------------------------------- shared pieces

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const SessionId = z.string().regex(UUID_RE, VALIDATION_MESSAGES.invalidSessionId);
export const IsoTime = z.string().describe('ISO 8601 timestamp');
export const Seq = z.number().int().positive();
export const EventId = z.number().int().nonnegative().describe('Per-session event number, for lossless reconnect (see docs/protocol.md)');
export const JsonObject = z.record(z.string(), z.unknown());

/** Counts Unicode code points, so 32,000 emoji are 32,000 characters, not 64,000. */
function codePointLength(s: string): number {
  if (s.length <= MAX_MESSAGE_CHARS) return s.length; // fast path: never over when UTF-16 length is not
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** A session's name: trimmed, 1 to MAX_TITLE_CHARS code points. */
export const SessionTitle = z
  .string()
  .transform((s) => s.replace(/\s+/g, ' ').trim())
  .refine((s) => s.length > 0 && [...s].length <= MAX_TITLE_CHARS, VALIDATION_MESSAGES.titleLength);

export const MessageText = z
  .string()
  .refine((s) => s.trim().length > 0, VALIDATION_MESSAGES.emptyMessage)
  .refine((s) => codePointLength(s) <= MAX_MESSAGE_CHARS, VALIDATION_MESSAGES.messageTooLong);

/** `dormant`: the session's process was released to make room; its next message resumes it. */
export const SessionStatus = z.enum(['creating', 'active', 'idle', 'dormant', 'terminated']);
export type SessionStatus = z.infer<typeof SessionStatus>;

export const SessionSource = z.enum(['pre-warmed', 'cold']);
export type SessionSource = z.infer<typeof SessionSource>;

export const TurnOutcome = z.enum(['complete', 'interrupted', 'error']);
export type TurnOutcome = z.infer<typeof TurnOutcome>;

export const PermissionDecision = z.enum(['allow', 'deny', 'allow_always']);
export type PermissionDecision = z.infer<typeof PermissionDecision>;

/** A user's id: `default` for the bootstrap admin of the API key, a UUID for the others. */
export const UserId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/);
export const Role = z.enum(['admin', 'member']);
export type Role = z.infer<typeof Role>;
/** A session's permission mode; bypassPermissions only where the server's PERMISSION_MODE is bypassPermissions. */
export const SessionPermissionMode = z.enum(['default', 'acceptEdits', 'plan', 'bypassPermissions']);
export type SessionPermissionMode = z.infer<typeof SessionPermissionMode>;
/** A model name or alias as `GET /api/v1/models` lists it (`value`). */
export const ModelName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\w.:@/[\]-]+$/, 'Invalid model name');
/** A transcript entry id (the CLI's message uuid). */
export const MessageId = z.string().regex(UUID_RE, 'Invalid message id');

/** What a session waits for from its user, shown in the session list and counted in the tab title. */
export const WaitingFor = z.enum(['permission', 'question', 'plan']);
export type WaitingFor = z.infer<typeof WaitingFor>;

export const SessionSummary = z.object({
  session_id: SessionId,
  user_id: UserId.optional().describe('The owner'),
  status: SessionStatus,
  created_at: IsoTime,
  last_active_at: IsoTime,
  message_count: z.number().int().nonnegative(),
  total_cost_usd: z.number().nonnegative(),
  is_resumable: z.boolean(),
  title: z
    .string()
    .nullable()
    .optional()
    .describe('Its name: set by PATCH, else the start of its first message; null before the first message'),
  model: ModelName.optional().describe("The session's model (absent: the server's default)"),
  permission_mode: SessionPermissionMode.optional(),
  working_dir: z
    .string()
    .optional()
    .describe('The absolute path of the folder the agent works in (absent for sessions made before the server recorded it)'),
  archived: z
    .boolean()
    .optional()
    .describe(
      'Archived: left out of the list (still found by search, listed with ?archived=true). Archive and unarchive announce it (true / false) in session_updated; absent: not archived, or not said (a status change)',
    ),
  waiting_for: WaitingFor.nullable()
    .optional()
    .describe(
      'What the session waits for from its user: a permission prompt, a question (AskUserQuestion) or a plan to approve (ExitPlanMode); null: nothing',
    ),
});
export type SessionSummary = z.infer<typeof SessionSummary>;

/** A file attached to a message, as sent (base64). Limits and accepted types: docs/protocol.md. */
export const Attachment = z.object({
  name: z.string().min(1).max(255).describe('File name, shown and given to the model'),
  media_type: z.string().min(1).max(255).describe('image/png|jpeg|gif|webp, application/pdf, text/* and a few text application types'),
  data: z
    .string()
    .min(1)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
    .describe('The file, base64 (standard alphabet)'),
});
export type Attachment = z.infer<typeof Attachment>;

/** An attachment as the transcript shows it: no data. `id` names it for GET /api/v1/sessions/{id}/attachments/{attachment_id}. */
export const AttachmentRef = z.object({
  name: z.string(),
  media_type: z.string(),
  size: z.number().int().nonnegative().describe('Bytes'),
  id: z.string().optional().describe('Present when the server keeps the file (from turn_started on; absent for some older messages)'),
});
export type AttachmentRef = z.infer<typeof AttachmentRef>;

/** What a finished turn cost and used: in `response_complete` and again in the history's `turn_result`. */
const TurnFigures = {
  cost_usd: z.number().nonnegative(),
  turn_count: z.number().int().nonnegative(),
  context_tokens: z
    .number()
    .int()
    .nonnegative()
    .optional()
    .describe('Tokens in the context after this turn (its last model call: input, cache and output)'),
  context_window: z.number().int().positive().optional().describe("The model's context window, as the CLI reports it"),
};

/** One entry of `session_history` (our addition; see docs/protocol.md). */
export const HistoryMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('user'),
    text: z.string(),
    timestamp: IsoTime,
    attachments: z.array(AttachmentRef).optional(),
    message_id: MessageId.optional().describe('The transcript entry id: fork and rewind files name a message by it'),
  }),
  z.object({ type: z.literal('assistant'), text: z.string(), timestamp: IsoTime }),
  z.object({
    type: z.literal('tool_use'),
    tool_use_id: z.string(),
    tool: z.string(),
    input: JsonObject,
    timestamp: IsoTime,
  }),
  z.object({
    type: z.literal('tool_result'),
    tool_use_id: z.string(),
    result: JsonObject,
    status: z.enum(['success', 'error']),
    duration_ms: z.number().int().nonnegative().nullable().optional(),
    timestamp: IsoTime,
  }),
  z.object({
    type: z.literal('turn_result'),
    outcome: TurnOutcome,
    ...TurnFigures,
    timestamp: IsoTime,
  }),
]);
export type HistoryMessage = z.infer<typeof HistoryMessage>;

// ---------------------------------------------------------------- client -> server

export const UserMessage = z.object({
  type: z.literal('user_message'),
  session_id: SessionId,
  text: MessageText,
  seq: Seq.optional(),
  attachments: z.array(Attachment).max(100).optional().describe('Files for the model; limits per file and per message apply'),
});
export const Interrupt = z.object({ type: z.literal('interrupt'), session_id: SessionId, seq: Seq.optional() });
export const CreateSession = z.object({
  type: z.literal('create_session'),
  model: ModelName.optional(),
  permission_mode: SessionPermissionMode.optional(),
  seq: Seq.optional(),
});
export const SwitchSession = z.object({
  type: z.literal('switch_session'),
  session_id: SessionId,
  after: EventId.optional().describe('Last event_id the client has for this session: only later events are sent'),
  seq: Seq.optional(),
});
export const DestroySession = z.object({
  type: z.literal('destroy_session'),
  session_id: SessionId,
  seq: Seq.optional(),
});
/** AskUserQuestion answers: question text -> the chosen label(s) (several joined by ", ") or the user's own text. */
export const QuestionAnswers = z
  .record(z.string().max(2000), z.string().max(4000))
  .refine((a) => Object.keys(a).length <= 8, 'At most 8 answers');
export const PermissionResponse = z.object({
  type: z.literal('permission_response'),
  request_id: z.string().min(1).max(64),
  decision: PermissionDecision,
  answers: QuestionAnswers.optional().describe('For AskUserQuestion: the answers the agent gets (with decision allow)'),
  message: z.string().max(4000).optional().describe('With deny: what the agent is told (e.g. why to keep planning)'),
  seq: Seq.optional(),
});
export const SetSessionOptions = z.object({
  type: z.literal('set_session_options'),
  session_id: SessionId,
  model: ModelName.optional(),
  permission_mode: SessionPermissionMode.optional(),
  seq: Seq.optional(),
});

/** Position of a message in a session's stored conversation (0 = the first; turn outcomes count too). */
export const HistoryPosition = z.number().int().nonnegative();
export const LoadHistory = z.object({
  type: z.literal('load_history'),
  session_id: SessionId,
  before: HistoryPosition.describe('The `first_position` the client has: the page before it is sent'),
  seq: Seq.optional(),
});

export const ClientMessage = z.discriminatedUnion('type', [
  UserMessage,
  Interrupt,
  CreateSession,
  SwitchSession,
  DestroySession,
  PermissionResponse,
  SetSessionOptions,
  LoadHistory,
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export const CLIENT_MESSAGE_TYPES = ClientMessage.options.map((o) => o.shape.type.value);

// ---------------------------------------------------------------- server -> client
// Every server frame carries `seq` (per connection, increasing), except
// message_received, which echoes the client's seq. Frames about one session's
// stream also carry `event_id` (per session, increasing) for lossless reconnect.

const frame = <K extends string, T extends z.ZodRawShape>(type: K, shape: T) => z.object({ type: z.literal(type), seq: Seq, ...shape });
const sessionEvent = <K extends string, T extends z.ZodRawShape>(type: K, shape: T) =>
  frame(type, { session_id: SessionId, event_id: EventId.optional(), ...shape });

export const SessionListFrame = frame('session_list', { sessions: z.array(SessionSummary) });
export const SessionReadyFrame = frame('session_ready', {
  session_id: SessionId,
  status: z.literal('ready'),
  source: SessionSource,
});
export const SessionCreatingFrame = frame('session_creating', { estimated_seconds: z.number().nonnegative() });
export const MessageReceivedFrame = z.object({
  type: z.literal('message_received'),
  seq: Seq.optional(),
  session_id: SessionId,
});
export const StreamDeltaFrame = sessionEvent('stream_delta', { delta: z.string() });
export const ToolUseFrame = sessionEvent('tool_use', {
  tool_use_id: z.string(),
  tool: z.string(),
  input: JsonObject,
});
export const ToolResultFrame = sessionEvent('tool_result', {
  tool_use_id: z.string(),
  result: JsonObject,
  status: z.enum(['success', 'error']),
  duration_ms: z.number().int().nonnegative().nullable(),
});
export const ResponseCompleteFrame = sessionEvent('response_complete', {
  ...TurnFigures,
  session_cost_usd: z.number().nonnegative().optional().describe('The session total, this turn included'),
});
export const StreamErrorFrame = sessionEvent('stream_error', {
  error: z.string(),
  partial_preserved: z.boolean(),
  suggested_action: z.enum(['retry', 'new_session', 'none']),
});
export const StreamInterruptedFrame = sessionEvent('stream_interrupted', {});
export const StreamStatusFrame = sessionEvent('stream_status', {
  status: z.enum(['retrying']),
  attempt: z.number().int().positive(),
  max_retries: z.number().int().nonnegative(),
  retry_in_ms: z.number().nonnegative(),
  error: z.string(),
});
export const TurnStartedFrame = sessionEvent('turn_started', {
  text: z.string(),
  attachments: z.array(AttachmentRef).optional(),
  message_id: MessageId.optional().describe("The user message's transcript id (as in session_history)"),
});
export const SessionWarningFrame = sessionEvent('session_warning', {
  reason: z.enum(['duration']),
  remaining_seconds: z.number().int().nonnegative(),
  message: z.string(),
});
export const SessionTerminatedFrame = sessionEvent('session_terminated', {
  reason: z.string(),
  message: z.string(),
  resume_url: z.string().nullable(),
});
export const SessionRestartingFrame = sessionEvent('session_restarting', {
  reason: z.enum(['memory_limit']),
  message: z.string(),
});
export const PermissionRequestFrame = sessionEvent('permission_request', {
  request_id: z.string(),
  tool: z.string(),
  input: JsonObject,
  timeout_seconds: z.number().nonnegative(),
  expires_at: IsoTime.optional().describe('When the server denies the request unanswered (a reloaded page counts down to it)'),
  always_allow_scope: z
    .string()
    .optional()
    .describe('What "Always allow" would allow from now on in this session, as a sentence to show on the card; absent: no Always allow'),
  warning: z.string().optional().describe('Why this call is risky or gets no Always allow (e.g. "rm deletes files"), to show on the card'),
});
export const SessionHistoryFrame = frame('session_history', {
  session_id: SessionId,
  session: SessionSummary,
  messages: z.array(HistoryMessage).describe('The newest messages (HISTORY_PAGE_SIZE, widened to whole turns)'),
  is_query_active: z.boolean(),
  last_event_id: EventId,
  has_more: z.boolean().describe('Earlier messages exist: ask with load_history'),
  first_position: HistoryPosition.describe('Position of the first message sent'),
});
export const SessionHistoryPageFrame = frame('session_history_page', {
  session_id: SessionId,
  messages: z.array(HistoryMessage),
  has_more: z.boolean(),
  first_position: HistoryPosition,
});
export const SessionUpdatedFrame = frame('session_updated', { session: SessionSummary });
export const SessionDeletedFrame = frame('session_deleted', {
  session_id: SessionId.describe('Deleted for good by its owner: every list drops it'),
});
export const SessionOpenedElsewhereFrame = frame('session_opened_elsewhere', {
  session_id: SessionId,
  message: z.string(),
});
export const ServerShuttingDownFrame = frame('server_shutting_down', { message: z.string() });
export const ErrorFrame = frame('error', {
  code: z.enum(WS_ERROR_CODES),
  message: z.string(),
  session_id: SessionId.optional(),
});

export const ServerFrame = z.discriminatedUnion('type', [
  SessionListFrame,
  SessionReadyFrame,
  SessionCreatingFrame,
  MessageReceivedFrame,
  StreamDeltaFrame,
  ToolUseFrame,
  ToolResultFrame,
  ResponseCompleteFrame,
  StreamErrorFrame,
  StreamInterruptedFrame,
  StreamStatusFrame,
  TurnStartedFrame,
  SessionWarningFrame,
  SessionTerminatedFrame,
  SessionRestartingFrame,
  PermissionRequestFrame,
  SessionHistoryFrame,
  SessionUpdatedFrame,
  SessionDeletedFrame,
  SessionOpenedElsewhereFrame,
  ServerShuttingDownFrame,
  ErrorFrame,
  SessionHistoryPageFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type ServerFrameType = ServerFrame['type'];
export type FrameOf<T extends ServerFrameType> = Extract<ServerFrame, { type: T }>;
/** A frame before the connection stamps its seq on it. */
export type UnsequencedFrame<T extends ServerFrameType = ServerFrameType> = T extends ServerFrameType ? Omit<FrameOf<T>, 'seq'> : never;
/** Frames that belong to one session's event stream (buffered for reconnect). */
export type SessionEvent = Extract<UnsequencedFrame, { event_id?: number }>;
export const SERVER_FRAME_TYPES = ServerFrame.options.map((o) => o.shape.type.value);

// ---------------------------------------------------------------- REST

export const ErrorBody = z.object({ error: z.string(), message: z.string() });
export const SessionListItem = SessionSummary.extend({
  snippet: z
    .string()
    .optional()
    .describe('With `q`: words around the match in the newest matching message (absent when only the title matched)'),
});
export type SessionListItem = z.infer<typeof SessionListItem>;
export const SessionListResponse = z.object({
  sessions: z.array(SessionListItem),
  next_cursor: z.string().nullable().optional().describe('Pass as `cursor` for the next page; null on the last one'),
});
export const SESSION_LIST_DEFAULT_LIMIT = 100;
export const SESSION_LIST_MAX_LIMIT = 1000;
export const ListSessionsQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(SESSION_LIST_MAX_LIMIT)
    .optional()
    .describe(`Sessions per page (1 to ${SESSION_LIST_MAX_LIMIT}; default ${SESSION_LIST_DEFAULT_LIMIT})`),
  cursor: z.string().max(200).optional().describe('The `next_cursor` of the page before (opaque)'),
  q: z.string().max(200).optional().describe('Search: sessions whose title or one message has every word (prefixes match)'),
  all: z.enum(['true', 'false']).optional().describe('Admins: every user’s sessions (members get 403)'),
  archived: z.enum(['true', 'false']).optional().describe('true: the archived sessions only (default: the others; a search finds both)'),
});
export const ExportQuery = z.object({ format: z.enum(['markdown', 'json']).optional().describe('Default markdown') });
export const ExportJsonResponse = z.object({
  session: SessionSummary,
  messages: z.array(HistoryMessage),
  exported_at: IsoTime,
});
export type ExportJsonResponse = z.infer<typeof ExportJsonResponse>;
export const CreateSessionRequest = z
  .object({ model: ModelName.optional(), permission_mode: SessionPermissionMode.optional() })
  .strict()
  .describe('Optional model and permission mode (empty: the server defaults)');
export const CreateSessionResponse = z.object({
  session_id: SessionId,
  status: SessionStatus,
  source: SessionSource,
  created_at: IsoTime,
});
export const PatchSessionRequest = z.object({ title: SessionTitle }).strict();
export const SessionDetailResponse = SessionSummary.extend({
  subprocess_pid: z.number().int().nullable(),
  rss_mb: z.number().nullable(),
});
export const DeleteSessionResponse = z.object({
  session_id: SessionId,
  status: z.literal('terminated'),
  reason: z.string(),
});
export const PurgeSessionResponse = z.object({ session_id: SessionId, deleted: z.literal(true) });
export type PurgeSessionResponse = z.infer<typeof PurgeSessionResponse>;
export const HealthLiveResponse = z.object({ status: z.literal('ok') });
export const HealthReadyResponse = ReplicaFigures.extend({
  status: z.literal('ready'),
  active_sessions: z.number().int().nonnegative(),
});
export const HealthNotReadyResponse = ReplicaFigures.extend({
  status: z.literal('not_ready'),
  reason: z.enum(['pool_empty', 'at_capacity', 'shutting_down']),
  active_sessions: z.number().int().nonnegative(),
});
export const McpServerInfo = z.object({
  type: z.string().optional(),
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  url: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
export const ExtensionsResponse = z.object({
  mcp_servers: z.record(z.string(), McpServerInfo),
  skills: z.array(z.object({ name: z.string(), path: z.string(), description: z.string().optional() })),
  commands: z.array(z.object({ name: z.string(), path: z.string(), description: z.string().optional() })),
});

export type DeleteSessionResponse = z.infer<typeof DeleteSessionResponse>;
export type SessionDetailResponse = z.infer<typeof SessionDetailResponse>;
export type CreateSessionResponse = z.infer<typeof CreateSessionResponse>;
export type ExtensionsResponse = z.infer<typeof ExtensionsResponse>;
export type HealthReadyResponse = z.infer<typeof HealthReadyResponse>;
export type HealthNotReadyResponse = z.infer<typeof HealthNotReadyResponse>;

// ---------------------------------------------------------------- REST: users and tokens

/** How the caller proved who they are: the bootstrap API key, a personal token, a sign-in cookie, a trusted proxy header. */
export const AuthVia = z.enum(['key', 'token', 'cookie', 'proxy']);
export type AuthVia = z.infer<typeof AuthVia>;
export const MeResponse = z.object({ user_id: UserId, name: z.string(), role: Role, via: AuthVia });
const UserName = z.string().trim().min(1).max(100);
export const User = z.object({
  user_id: UserId,
  name: z.string(),
  role: Role,
  disabled: z.boolean(),
  created_at: IsoTime,
  updated_at: IsoTime,
});
export type User = z.infer<typeof User>;
export const UserListResponse = z.object({ users: z.array(User) });
export const CreateUserRequest = z.object({ name: UserName, role: Role }).strict();
export const CreateUserResponse = z.object({
  user_id: UserId,
  name: z.string(),
  role: Role,
  token: z.string().describe('The user’s first API token: shown this once, stored only as a hash'),
});
export const UpdateUserRequest = z
  .object({
    name: UserName.optional(),
    role: Role.optional(),
    disabled: z.boolean().optional().describe('false re-enables a disabled user; true disables like DELETE'),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'Give at least one of name, role, disabled');
export const UserIdParams = z.object({ id: UserId });
export const ApiToken = z.object({
  token_id: z.string(),
  name: z.string(),
  created_at: IsoTime,
  last_used_at: IsoTime.nullable().describe('Updated at most once a minute'),
  revoked_at: IsoTime.nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;
export const TokenListResponse = z.object({ tokens: z.array(ApiToken) });
export const CreateTokenRequest = z.object({ name: UserName }).strict();
export const CreateTokenResponse = ApiToken.extend({
  token: z.string().describe('The secret: shown this once, stored only as a hash'),
});
export const TokenIdParams = z.object({ id: z.string().min(1).max(64) });
export const UserTokenParams = z.object({ id: UserId, token_id: z.string().min(1).max(64) });

/** A browser sign-in (a cookie session): how it was obtained, and whether it is the caller's own. */
export const SignInMethod = z.enum(['oidc', 'proxy', 'key', 'token']);
export const SignInInfo = z.object({
  id: z.string(),
  created_at: IsoTime,
  last_used_at: IsoTime.nullable().describe('Updated at most once a minute'),
  expires_at: IsoTime,
  method: SignInMethod.describe('How the browser signed in: the identity provider, the trusted proxy, the API key, a personal token'),
  token_name: z.string().nullable().describe('The personal token exchanged (method token)'),
  token_id: z.string().nullable().describe('The id of the personal token exchanged (method token): revoking it ends this sign-in'),
  user_agent: z.string().nullable(),
  current: z.boolean().describe('The sign-in making this request'),
});
export const SignInListResponse = z.object({ sign_ins: z.array(SignInInfo).describe('Newest first') });
export const EndSignInsResponse = z.object({ ended: z.number().int().min(0) });
export const SignInIdParams = z.object({ id: z.string().min(1).max(64) });
export type SignInInfo = z.infer<typeof SignInInfo>;
export type SignInListResponse = z.infer<typeof SignInListResponse>;

export type MeResponse = z.infer<typeof MeResponse>;
export type CreateUserResponse = z.infer<typeof CreateUserResponse>;
export type CreateTokenResponse = z.infer<typeof CreateTokenResponse>;

export const ModelInfo = z.object({ value: z.string(), display_name: z.string(), description: z.string() });
export const ModelsResponse = z.object({ models: z.array(ModelInfo) });
export const SlashCommandInfo = z.object({
  name: z.string(),
  description: z.string(),
  argument_hint: z.string().optional(),
  source: z.enum(['project', 'skill', 'cli']),
});
export const CommandsResponse = z.object({ commands: z.array(SlashCommandInfo) });
export const ForkSessionRequest = z
  .object({ message_id: MessageId.optional().describe('Fork before this user message (absent: the whole conversation)') })
  .strict();
export const RewindFilesRequest = z
  .object({ message_id: MessageId, dry_run: z.boolean().optional().describe('Only preview what would change') })
  .strict();
export const RewindFilesResponse = z.object({
  can_rewind: z.boolean(),
  error: z.string().optional(),
  files_changed: z.array(z.string()),
  insertions: z.number().int().nonnegative(),
  deletions: z.number().int().nonnegative(),
  dry_run: z.boolean(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;
export type ModelsResponse = z.infer<typeof ModelsResponse>;
export type SlashCommandInfo = z.infer<typeof SlashCommandInfo>;
export type CommandsResponse = z.infer<typeof CommandsResponse>;
export type RewindFilesResponse = z.infer<typeof RewindFilesResponse>;
export type QuestionAnswers = z.infer<typeof QuestionAnswers>;

// ---------------------------------------------------------------- REST: browser sign-in

/** This browser's sign-in (never a 401, so a signed-out page logs no error) and how it can sign in. */
export const SignInStateResponse = z.object({
  user: MeResponse.nullable().describe('Who the request’s credential (cookie, proxy header, key) belongs to; null when signed out'),
  oidc: z.boolean().describe('An identity provider is configured: GET /auth/oidc/login starts its sign-in'),
  proxy: z.boolean().describe('A trusted proxy names the user (AUTH_PROXY_HEADER)'),
});
export type SignInStateResponse = z.infer<typeof SignInStateResponse>;
export const SignInRequest = z
  .object({ token: z.string().min(1).max(256).describe('The API key or a personal token, exchanged for a sign-in cookie') })
  .strict();
export const SignOutResponse = z.object({ signed_out: z.literal(true) });
/** Why a browser sign-in was refused: the sign-in page says each in its own words. */
export const SignInFailure = z.enum([
  'sign_in_expired',
  'sign_in_failed',
  'not_allowed',
  'account_disabled',
  'provider_unavailable',
  'sign_in_busy',
]);
export type SignInFailure = z.infer<typeof SignInFailure>;
