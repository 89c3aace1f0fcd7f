// Request and response schemas of every REST route, one entry per route. The server validates
// and serialises with them, and /api/v1/openapi.json is generated from them: the document
// cannot drift from what the routes accept and return.
import { z } from 'zod';
import { AuditListResponse, AuditQuery } from './accounting.js';
import { ERRORS } from './errors.js';
import {
  CreateSessionRequest,
  CreateSessionResponse,
  DeleteSessionResponse,
  ErrorBody,
  ExtensionsResponse,
  HealthLiveResponse,
  HealthNotReadyResponse,
  HealthReadyResponse,
  PatchSessionRequest,
  SessionDetailResponse,
  SessionId,
  SessionListResponse,
  SessionSummary,
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
    summary: 'Sessions, newest first',
    response: { 200: SessionListResponse, ...err('unauthorized') },
  },
  createSession: {
    ...keyed,
    tags: ['sessions'],
    summary: 'Create a session (from the pre-warm pool when it has a process)',
    body: CreateSessionRequest.optional(),
    response: { 201: CreateSessionResponse, ...err('unauthorized', 'invalid_message', 'capacity_exceeded') },
  },
  getSession: {
    ...keyed,
    tags: ['sessions'],
    summary: 'One session with its process id and memory',
    params: sessionParams,
    response: { 200: SessionDetailResponse, ...err('unauthorized', 'not_found') },
  },
  deleteSession: {
    ...keyed,
    tags: ['sessions'],
    summary: 'End a session (its process tree goes; the row stays, resumable)',
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
    response: { 200: AuditListResponse, ...err('unauthorized', 'invalid_message') },
  },
} as const;
