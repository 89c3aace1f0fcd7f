// Request and response schemas of every REST route, one entry per route. The server validates
// and serialises with them, and /api/v1/openapi.json is generated from them: the document
// cannot drift from what the routes accept and return.
import { z } from 'zod';
import { AuditListResponse, AuditQuery, UsageQuery, UsageResponse, UserLimits, UserLimitsResponse } from './accounting.js';
import { ERRORS } from './errors.js';
import {
  ApiToken,
  CommandsResponse,
  CreateSessionRequest,
  CreateSessionResponse,
  CreateTokenRequest,
  CreateTokenResponse,
  CreateUserRequest,
  CreateUserResponse,
  DeleteSessionResponse,
  ErrorBody,
  ExportJsonResponse,
  ExportQuery,
  ExtensionsResponse,
  ForkSessionRequest,
  HealthLiveResponse,
  HealthNotReadyResponse,
  HealthReadyResponse,
  ListSessionsQuery,
  MeResponse,
  ModelsResponse,
  PatchSessionRequest,
  RewindFilesRequest,
  RewindFilesResponse,
  SessionDetailResponse,
  SessionId,
  SessionListResponse,
  SessionSummary,
  TokenIdParams,
  TokenListResponse,
  UpdateUserRequest,
  User,
  UserIdParams,
  UserListResponse,
  UserTokenParams,
} from './messages.js';

const err = (...codes: (keyof typeof ERRORS)[]) =>
  Object.fromEntries(codes.map((c) => [ERRORS[c].status, ErrorBody.describe(ERRORS[c].message)])) as Record<number, typeof ErrorBody>;

const keyed = { security: [{ apiKey: [] }] };
const open = { security: [] };
const sessionParams = z.object({ id: SessionId.describe('Session id (a UUID); a malformed one answers 404 like an unknown one') });

export const REST_ROUTES = {
  healthLive: {
    ...open,
    tags: ['health'],
    summary: 'Liveness: the process answers',
    response: { 200: HealthLiveResponse },
  },
  healthReady: {
    ...open,
    tags: ['health'],
    summary: 'Readiness: a session can be created now',
    response: { 200: HealthReadyResponse, 503: HealthNotReadyResponse },
  },
  listSessions: {
    ...keyed,
    tags: ['sessions'],
    summary:
      'The caller’s sessions, newest first, a page at a time (limit, cursor); with q, those matching a search (admins: everyone’s with ?all=true)',
    querystring: ListSessionsQuery,
    response: { 200: SessionListResponse, ...err('unauthorized', 'invalid_message', 'forbidden') },
  },
  createSession: {
    ...keyed,
    tags: ['sessions'],
    summary: 'Create a session (from the pre-warm pool when it has a process)',
    body: CreateSessionRequest.optional(),
    response: { 201: CreateSessionResponse, ...err('unauthorized', 'invalid_message', 'mode_not_allowed', 'capacity_exceeded') },
  },
  getSession: {
    ...keyed,
    tags: ['sessions'],
    summary: 'One of the caller’s sessions with its process id and memory (admins: anyone’s)',
    params: sessionParams,
    response: { 200: SessionDetailResponse, ...err('unauthorized', 'not_found') },
  },
  deleteSession: {
    ...keyed,
    tags: ['sessions'],
    summary: 'End one of the caller’s sessions (admins: anyone’s); its process tree goes, the row stays, resumable',
    params: sessionParams,
    response: { 200: DeleteSessionResponse, ...err('unauthorized', 'not_found') },
  },
  patchSession: {
    ...keyed,
    tags: ['sessions'],
    summary: 'Rename a session (announced to clients as session_updated)',
    params: sessionParams,
    body: PatchSessionRequest,
    response: { 200: SessionSummary, ...err('unauthorized', 'not_found', 'invalid_message') },
  },
  getAttachment: {
    ...keyed,
    tags: ['sessions'],
    summary:
      "One file attached to a message of the session (its bytes, with the file's media type): the web UI's thumbnails. Ids come from session_history",
    params: sessionParams.extend({
      attachment_id: z.string().max(64).describe('`<message uuid>.<block index>`, as session_history gives it'),
    }),
    response: { ...err('unauthorized', 'not_found') },
  },
  exportSession: {
    ...keyed,
    tags: ['sessions'],
    summary: 'The conversation as a download: Markdown (text/markdown, the default) or JSON',
    params: sessionParams,
    querystring: ExportQuery,
    response: { 200: ExportJsonResponse, ...err('unauthorized', 'not_found', 'invalid_message') },
  },
  extensions: {
    ...keyed,
    tags: ['extensions'],
    summary: 'MCP servers, skills and commands read from PROJECT_DIR (secrets masked)',
    response: { 200: ExtensionsResponse, ...err('unauthorized') },
  },
  audit: {
    ...keyed,
    tags: ['accounting'],
    summary: 'The audit log, newest first, filtered and paged (admins only)',
    querystring: AuditQuery,
    response: { 200: AuditListResponse, ...err('unauthorized', 'invalid_message', 'forbidden') },
  },
  me: {
    ...keyed,
    tags: ['users'],
    summary: 'Who the credential belongs to',
    response: { 200: MeResponse, ...err('unauthorized') },
  },
  listUsers: {
    ...keyed,
    tags: ['users'],
    summary: 'Every user (admin)',
    response: { 200: UserListResponse, ...err('unauthorized', 'forbidden') },
  },
  createUser: {
    ...keyed,
    tags: ['users'],
    summary: 'Create a user with a first API token, shown this once (admin)',
    body: CreateUserRequest,
    response: { 201: CreateUserResponse, ...err('unauthorized', 'invalid_message', 'forbidden') },
  },
  updateUser: {
    ...keyed,
    tags: ['users'],
    summary: 'Rename, change the role, or re-enable (disabled: false) a user (admin)',
    params: UserIdParams,
    body: UpdateUserRequest,
    response: { 200: User, ...err('unauthorized', 'invalid_message', 'forbidden', 'user_not_found', 'user_protected') },
  },
  deleteUser: {
    ...keyed,
    tags: ['users'],
    summary: 'Disable a user: their tokens are revoked, live sessions end, sockets close; the row stays (admin)',
    params: UserIdParams,
    response: { 200: User, ...err('unauthorized', 'forbidden', 'user_not_found', 'user_protected') },
  },
  listMyTokens: {
    ...keyed,
    tags: ['tokens'],
    summary: 'The caller’s API tokens (never their secrets)',
    response: { 200: TokenListResponse, ...err('unauthorized') },
  },
  createMyToken: {
    ...keyed,
    tags: ['tokens'],
    summary: 'Create an API token for the caller; the secret is shown this once',
    body: CreateTokenRequest,
    response: { 201: CreateTokenResponse, ...err('unauthorized', 'invalid_message') },
  },
  deleteMyToken: {
    ...keyed,
    tags: ['tokens'],
    summary: 'Revoke one of the caller’s tokens (sockets opened with it close)',
    params: TokenIdParams,
    response: { 200: ApiToken, ...err('unauthorized', 'token_not_found') },
  },
  listUserTokens: {
    ...keyed,
    tags: ['tokens'],
    summary: 'A user’s API tokens (admin)',
    params: UserIdParams,
    response: { 200: TokenListResponse, ...err('unauthorized', 'forbidden', 'user_not_found') },
  },
  createUserToken: {
    ...keyed,
    tags: ['tokens'],
    summary: 'Create an API token for an enabled user, shown this once (admin)',
    params: UserIdParams,
    body: CreateTokenRequest,
    response: { 201: CreateTokenResponse, ...err('unauthorized', 'invalid_message', 'forbidden', 'user_not_found') },
  },
  deleteUserToken: {
    ...keyed,
    tags: ['tokens'],
    summary: 'Revoke a user’s token (admin)',
    params: UserTokenParams,
    response: { 200: ApiToken, ...err('unauthorized', 'forbidden', 'user_not_found', 'token_not_found') },
  },
  setUserLimits: {
    ...keyed,
    tags: ['accounting'],
    summary: "Set a user's limits: live sessions and monthly budget in USD, null for none (admins only; audited)",
    params: UserIdParams,
    body: UserLimits,
    response: { 200: UserLimitsResponse, ...err('unauthorized', 'invalid_message', 'forbidden', 'user_not_found') },
  },
  usage: {
    ...keyed,
    tags: ['accounting'],
    summary: "Sessions, turns and cost per user, this month (by day) and in total: a member's own, an admin's choice",
    querystring: UsageQuery,
    response: { 200: UsageResponse, ...err('unauthorized', 'invalid_message', 'forbidden', 'user_not_found') },
  },
  models: {
    ...keyed,
    tags: ['agent'],
    summary: "Models a session can use (the CLI's own list, cached)",
    response: { 200: ModelsResponse, ...err('unauthorized', 'internal_error') },
  },
  commands: {
    ...keyed,
    tags: ['agent'],
    summary: "Slash commands: the project's commands and skills, then the CLI's own",
    response: { 200: CommandsResponse, ...err('unauthorized', 'internal_error') },
  },
  forkSession: {
    ...keyed,
    tags: ['sessions'],
    summary: 'A new session with the conversation so far (or before a message); the original is unchanged',
    params: sessionParams,
    body: ForkSessionRequest.optional(),
    response: { 201: CreateSessionResponse, ...err('unauthorized', 'invalid_message', 'not_found') },
  },
  rewindFiles: {
    ...keyed,
    tags: ['sessions'],
    summary: 'Restore the files the agent changed after a user message (dry_run: preview only)',
    params: sessionParams,
    body: RewindFilesRequest,
    response: {
      200: RewindFilesResponse,
      ...err('unauthorized', 'invalid_message', 'not_found', 'query_in_progress', 'rewind_unavailable'),
    },
  },
} as const;
