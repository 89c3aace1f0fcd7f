// REST endpoints: bodies and codes exactly as the contract gives them; the work is the chat service's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config/config.js';
import type { AuditLog } from '../core/accounting/audit-log.js';
import type { ChatService } from '../core/chat-service.js';
import type { UserService } from '../core/identity/users.js';
import type { ReplicaStatus } from '../core/replicas/replica-status.js';
import type { SessionRemoval } from '../core/sessions/session-removal.js';
import type { WorkspaceService } from '../core/workspace/workspace-service.js';
import type { CreateSessionResponse, DeleteSessionResponse, ExtensionsResponse } from '../protocol/messages.js';
import type { ReplicaListResponse } from '../protocol/replicas.js';
import { REST_ROUTES as R } from '../protocol/rest-routes.js';
import type { Authentication } from './authenticate.js';
import { caller, route, SESSION_PARAMS as S, sendError } from './http-errors.js';
import { type AccountingDeps, registerAccountingRoutes } from './rest-accounting.js';
import { adminOnly } from './rest-admin.js';
import { registerSignInListRoutes, type SignInListDeps } from './rest-sign-ins.js';
import { registerUserRoutes } from './rest-users.js';
import { registerWorkspaceRoutes } from './rest-workspace.js';
import { perUserLimit } from './user-rate-limit.js';

export interface RestDeps {
  config: Config;
  chat: ChatService;
  /** Archive and Delete (for good) from the session list. */
  removal: SessionRemoval;
  audit: AuditLog;
  users: UserService;
  accounting: AccountingDeps;
  workspace: WorkspaceService;
  auth: Authentication;
  signIns: SignInListDeps;
  /** This replica's figures (REPLICA_ID, live processes, MAX_SESSIONS, pool, draining). */
  replica: () => ReplicaStatus;
  /** Every replica of this database (the replicas view). */
  replicas: () => Promise<ReplicaListResponse>;
  extensions: () => ExtensionsResponse;
}

export function registerRest(app: FastifyInstance, d: RestDeps): void {
  const { config, chat } = d;

  const requireCaller = async (req: FastifyRequest, reply: FastifyReply) => {
    if (!(await d.auth.principalOf(req))) return sendError(reply, 'unauthorized');
  };

  app.get('/api/v1/health/live', { schema: R.healthLive }, async () => ({ status: 'ok' }));

  app.get('/api/v1/health/ready', { schema: R.healthReady }, async (_req, reply) => {
    const replica = d.replica();
    const r = chat.readiness({ size: config.prewarmPoolSize, depth: replica.pool_depth });
    const base = { ...replica, active_sessions: r.activeSessions };
    if (r.notReady) return reply.code(503).send({ status: 'not_ready', reason: r.notReady, ...base });
    return { status: 'ready', ...base };
  });

  // Fastify validates params, body and query with the route schemas (the error handler words a failure;
  // a malformed id answers 404 like an unknown one). Authentication runs first, at onRequest.
  app.register(async (scope) => {
    scope.addHook('onRequest', requireCaller);
    const authed = scope.withTypeProvider<ZodTypeProvider>();
    const heavy = perUserLimit(scope, config.expensiveRequestsPerMinute);
    const perUser = { preHandler: heavy() };

    authed.get(
      '/api/v1/sessions',
      { ...route(R.listSessions), preHandler: heavy((req) => (req.query as { q?: string }).q !== undefined) },
      async (req) => chat.listPage(caller(req), req.query),
    );

    authed.post('/api/v1/sessions', route(R.createSession), async (req, reply) => {
      const { session_id, source, summary } = await chat.create(caller(req), { options: req.body ?? {} });
      const created: CreateSessionResponse = { session_id, status: summary.status, source, created_at: summary.created_at };
      return reply.code(201).send(created);
    });

    authed.get('/api/v1/sessions/:id', route(R.getSession, S), async (req) => chat.detail(caller(req), req.params.id));

    authed.delete('/api/v1/sessions/:id', route(R.deleteSession, S), async (req): Promise<DeleteSessionResponse> => {
      const id = req.params.id;
      const { reason } = await chat.destroy(caller(req), id, { admin: true });
      return { session_id: id, status: 'terminated', reason };
    });

    authed.patch('/api/v1/sessions/:id', route(R.patchSession, S), async (req) => chat.rename(caller(req), req.params.id, req.body.title));

    authed.post('/api/v1/sessions/:id/archive', route(R.archiveSession, S), async (req) => d.removal.archive(caller(req), req.params.id));
    authed.post('/api/v1/sessions/:id/unarchive', route(R.unarchiveSession, S), async (req) =>
      d.removal.unarchive(caller(req), req.params.id),
    );
    authed.post('/api/v1/sessions/:id/delete', route(R.purgeSession, S), async (req) => d.removal.purge(caller(req), req.params.id));

    // Only this server's own stored bytes, typed by our own checks (no SVG); sandboxed and
    // private so the browser never runs or shares them (the UI fetches them into blob: URLs).
    // Bytes and Markdown are no JSON the type provider could type: these two answer on the plain scope.
    scope.get('/api/v1/sessions/:id/attachments/:attachment_id', { ...route(R.getAttachment, S), ...perUser }, async (req, reply) => {
      const params = req.params as { id: string; attachment_id: string };
      const file = await chat.attachment(caller(req), params.id, params.attachment_id);
      if (!file) return sendError(reply, 'not_found', 'Attachment not found');
      return reply
        .header('content-type', file.mediaType)
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('cache-control', 'private, max-age=3600')
        .header('content-disposition', 'inline')
        .send(file.stream ?? file.bytes);
    });

    scope.get('/api/v1/sessions/:id/export', { ...route(R.exportSession, S), ...perUser }, async (req, reply) => {
      const { id } = req.params as { id: string };
      const { format } = req.query as { format?: 'markdown' | 'json' };
      const file = await chat.exportSession(caller(req), id, format ?? 'markdown');
      reply.header('content-disposition', `attachment; filename="${file.filename}"`).header('cache-control', 'no-store');
      if (typeof file.body === 'string')
        return reply
          .type('text/markdown; charset=utf-8')
          .serializer((p: unknown) => p as string)
          .send(file.body);
      return reply.type('application/json; charset=utf-8').send(file.body);
    });

    authed.get('/api/v1/extensions', route(R.extensions), async () => d.extensions());

    // The role before the query: a member learns nothing from validation.
    authed.get('/api/v1/audit', { ...route(R.audit), preValidation: adminOnly }, async (req) => d.audit.list(req.query));
    authed.get('/api/v1/replicas', { ...route(R.listReplicas), preValidation: adminOnly }, () => d.replicas());

    registerUserRoutes(authed, d.users);
    registerSignInListRoutes(authed, d.signIns);
    registerAccountingRoutes(authed, d.accounting);
    registerWorkspaceRoutes(authed, { chat, workspace: d.workspace, heavy: heavy() });

    authed.get('/api/v1/models', route(R.models), async () => ({ models: await chat.models() }));

    authed.get('/api/v1/commands', route(R.commands), async () => ({ commands: await chat.commands(d.extensions()) }));

    authed.post('/api/v1/sessions/:id/fork', { ...route(R.forkSession, S), ...perUser }, async (req, reply) => {
      const { session_id, summary } = await chat.fork(caller(req), req.params.id, req.body?.message_id);
      const created: CreateSessionResponse = { session_id, status: summary.status, source: 'cold', created_at: summary.created_at };
      return reply.code(201).send(created);
    });

    authed.post('/api/v1/sessions/:id/rewind', { ...route(R.rewindFiles, S), ...perUser }, async (req) =>
      chat.rewindFiles(caller(req), req.params.id, req.body.message_id, req.body.dry_run ?? false),
    );
  });
}
