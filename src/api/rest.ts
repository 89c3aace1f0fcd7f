// REST endpoints: bodies and codes exactly as the contract gives them; the work is the chat service's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { AuditLog } from '../core/accounting/audit-log.js';
import type { ChatService } from '../core/chat-service.js';
import { type Principal, requireAdmin } from '../core/identity/principal.js';
import type { UserService } from '../core/identity/users.js';
import type { WorkspaceService } from '../core/workspace/workspace-service.js';
import { AuditQuery } from '../protocol/accounting.js';
import { ERRORS, type ErrorCode, PlatformError } from '../protocol/errors.js';
import {
  CreateSessionRequest,
  type CreateSessionResponse,
  type DeleteSessionResponse,
  ExportQuery,
  type ExtensionsResponse,
  ForkSessionRequest,
  ListSessionsQuery,
  PatchSessionRequest,
  RewindFilesRequest,
  SessionId,
} from '../protocol/messages.js';
import { REST_ROUTES as R } from '../protocol/rest-routes.js';
import type { Authentication } from './authenticate.js';
import { type AccountingDeps, registerAccountingRoutes } from './rest-accounting.js';
import { registerUserRoutes } from './rest-users.js';
import { registerWorkspaceRoutes } from './rest-workspace.js';

export interface RestDeps {
  config: Config;
  chat: ChatService;
  audit: AuditLog;
  users: UserService;
  accounting: AccountingDeps;
  workspace: WorkspaceService;
  auth: Authentication;
  poolDepth: () => number;
  extensions: () => ExtensionsResponse;
}

/** The caller of a request past the authentication hook. */
export function caller(req: FastifyRequest): Principal {
  if (!req.principal) throw new PlatformError('unauthorized');
  return req.principal;
}

export function sendError(reply: FastifyReply, code: ErrorCode, message?: string): FastifyReply {
  return reply.code(ERRORS[code].status).send({ error: code, message: message ?? ERRORS[code].message });
}

export function registerRest(app: FastifyInstance, d: RestDeps): void {
  const { config, chat } = d;

  const requireCaller = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!(await d.auth.principalOf(req))) return sendError(reply, 'unauthorized');
  };

  const sessionIdParam = (req: FastifyRequest): string => {
    const id = (req.params as { id: string }).id;
    // A malformed id cannot name a session: same 404 as an unknown one.
    if (!SessionId.safeParse(id).success) throw new PlatformError('not_found');
    return id;
  };

  app.get('/api/v1/health/live', { schema: R.healthLive }, async () => ({ status: 'ok' }));

  app.get('/api/v1/health/ready', { schema: R.healthReady }, async (_req, reply) => {
    const pool_depth = d.poolDepth();
    const r = chat.readiness();
    const base = { pool_depth, active_sessions: r.activeSessions, max_sessions: config.maxSessions };
    if (r.shuttingDown) return reply.code(503).send({ status: 'not_ready', reason: 'shutting_down', ...base });
    if (r.full) return reply.code(503).send({ status: 'not_ready', reason: 'at_capacity', ...base });
    // With the pool on, readiness means a warm process can be handed out now.
    if (config.prewarmPoolSize > 0 && pool_depth === 0) return reply.code(503).send({ status: 'not_ready', reason: 'pool_empty', ...base });
    return { status: 'ready', ...base };
  });

  // Body and id are checked in the handlers (attachValidation), so their answers stay the
  // documented ones: a malformed id is a 404 like an unknown one, a bad body has one message.
  app.register(async (authed) => {
    authed.addHook('onRequest', requireCaller);

    authed.get('/api/v1/sessions', { schema: R.listSessions, attachValidation: true }, async (req, reply) => {
      const q = ListSessionsQuery.safeParse(req.query ?? {});
      if (!q.success) {
        const issue = q.error.issues[0];
        return sendError(
          reply,
          'invalid_message',
          `Invalid query parameter ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
        );
      }
      return chat.listPage(caller(req), q.data);
    });

    authed.post('/api/v1/sessions', { schema: R.createSession, attachValidation: true }, async (req, reply) => {
      const body = req.body ?? {};
      const parsed = CreateSessionRequest.safeParse(body);
      if (!parsed.success) return sendError(reply, 'invalid_message', bodyProblem(parsed.error));
      const { session_id, source, summary } = await chat.create(caller(req), undefined, undefined, parsed.data);
      const created: CreateSessionResponse = { session_id, status: summary.status, source, created_at: summary.created_at };
      return reply.code(201).send(created);
    });

    authed.get('/api/v1/sessions/:id', { schema: R.getSession, attachValidation: true }, async (req) =>
      chat.detail(caller(req), sessionIdParam(req)),
    );

    authed.delete(
      '/api/v1/sessions/:id',
      { schema: R.deleteSession, attachValidation: true },
      async (req): Promise<DeleteSessionResponse> => {
        const id = sessionIdParam(req);
        const { reason } = await chat.destroy(caller(req), undefined, id);
        return { session_id: id, status: 'terminated', reason };
      },
    );

    authed.patch('/api/v1/sessions/:id', { schema: R.patchSession, attachValidation: true }, async (req, reply) => {
      const id = sessionIdParam(req);
      const parsed = PatchSessionRequest.safeParse(req.body ?? {});
      if (!parsed.success) {
        const own = parsed.error.issues.find((i) => i.path[0] === 'title' && i.code === 'custom');
        return sendError(reply, 'invalid_message', own?.message ?? 'The request body must be {"title": "..."}');
      }
      return chat.rename(caller(req), id, parsed.data.title);
    });
    // Only this server's own stored bytes, typed by our own checks (no SVG); sandboxed and
    // private so the browser never runs or shares them (the UI fetches them into blob: URLs).
    authed.get(
      '/api/v1/sessions/:id/attachments/:attachment_id',
      { schema: R.getAttachment, attachValidation: true },
      async (req, reply) => {
        const id = sessionIdParam(req);
        const file = await chat.attachment(caller(req), id, (req.params as { attachment_id: string }).attachment_id);
        if (!file) return sendError(reply, 'not_found', 'Attachment not found');
        return reply
          .header('content-type', file.mediaType)
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, max-age=3600')
          .header('content-disposition', 'inline')
          .send(file.bytes);
      },
    );

    authed.get('/api/v1/sessions/:id/export', { schema: R.exportSession, attachValidation: true }, async (req, reply) => {
      const id = sessionIdParam(req);
      const q = ExportQuery.safeParse(req.query ?? {});
      if (!q.success) return sendError(reply, 'invalid_message', 'format must be markdown or json');
      const file = await chat.exportSession(caller(req), id, q.data.format ?? 'markdown');
      reply.header('content-disposition', `attachment; filename="${file.filename}"`).header('cache-control', 'no-store');
      if (typeof file.body === 'string')
        return reply
          .type(file.contentType)
          .serializer((p: unknown) => p as string)
          .send(file.body);
      return reply.type(file.contentType).send(file.body);
    });

    authed.get('/api/v1/extensions', { schema: R.extensions }, async () => d.extensions());

    authed.get('/api/v1/audit', { schema: R.audit, attachValidation: true }, async (req, reply) => {
      requireAdmin(caller(req));
      const q = AuditQuery.safeParse(req.query);
      if (!q.success) {
        const issue = q.error.issues[0];
        return sendError(
          reply,
          'invalid_message',
          `Invalid query parameter ${issue?.path.join('.') || ''}: ${issue?.message ?? 'invalid'}`,
        );
      }
      return d.audit.list(q.data);
    });

    registerUserRoutes(authed, d.users);
    registerAccountingRoutes(authed, d.accounting);
    registerWorkspaceRoutes(authed, { chat, workspace: d.workspace });

    authed.get('/api/v1/models', { schema: R.models }, async () => ({ models: await chat.models() }));

    authed.get('/api/v1/commands', { schema: R.commands }, async () => ({ commands: await chat.commands(d.extensions()) }));

    authed.post('/api/v1/sessions/:id/fork', { schema: R.forkSession, attachValidation: true }, async (req, reply) => {
      const id = sessionIdParam(req);
      const parsed = ForkSessionRequest.safeParse(req.body ?? {});
      if (!parsed.success) return sendError(reply, 'invalid_message', bodyProblem(parsed.error));
      const { session_id, summary } = await chat.fork(caller(req), id, parsed.data.message_id);
      const created: CreateSessionResponse = { session_id, status: summary.status, source: 'cold', created_at: summary.created_at };
      return reply.code(201).send(created);
    });

    authed.post('/api/v1/sessions/:id/rewind', { schema: R.rewindFiles, attachValidation: true }, async (req, reply) => {
      const id = sessionIdParam(req);
      const parsed = RewindFilesRequest.safeParse(req.body ?? {});
      if (!parsed.success) return sendError(reply, 'invalid_message', bodyProblem(parsed.error));
      return chat.rewindFiles(caller(req), id, parsed.data.message_id, parsed.data.dry_run ?? false);
    });
  });
}

/** The first problem of a request body, as one sentence. */
function bodyProblem(e: { issues: { path: PropertyKey[]; message: string; code?: string; keys?: string[] }[] }): string {
  const i = e.issues[0];
  if (!i) return 'Invalid request body';
  if (i.code === 'unrecognized_keys') return `Unknown field${(i.keys?.length ?? 0) > 1 ? 's' : ''}: ${i.keys?.join(', ')}`;
  return `Invalid field ${i.path.map(String).join('.') || '(body)'}: ${i.message}`;
}
