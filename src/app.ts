// The app factory (as fastify recommends): buildApp(config) wires every
// component and returns an app that is not listening yet. Resources are
// released in onClose in reverse order of creation.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import { Authentication, secretAuthenticator } from './api/authenticate.js';
import { registerErrorHandler, sendError } from './api/http-errors.js';
import { redactedRequest, registerHttpSecurity, routeOf } from './api/http-security.js';
import { registerMetrics } from './api/metrics-route.js';
import { registerOpenApi } from './api/openapi.js';
import { registerRest } from './api/rest.js';
import { registerSignInGuards, registerSignInRoutes, type SignInDeps } from './api/sign-in.js';
import { registerWs } from './api/ws.js';
import { registerWsGuard, startHeartbeat } from './api/ws-guard.js';
import { WsHub } from './api/ws-hub.js';
import type { Config } from './config/config.js';
import { AuditLog } from './core/accounting/audit-log.js';
import { Metrics } from './core/accounting/metrics.js';
import { UserLimitsService } from './core/accounting/user-limits.js';
import { ChatService } from './core/chat-service.js';
import { ExtensionLoader } from './core/cli/extension-loader.js';
import { decideSandbox } from './core/cli/sandbox-probe.js';
import { AttachmentStore } from './core/conversations/attachment-store.js';
import { ExternalUsers } from './core/identity/external-users.js';
import { OidcSignIn } from './core/identity/oidc-sign-in.js';
import { UserService } from './core/identity/users.js';
import { keyCredential, tokenCredential, WebSessions } from './core/identity/web-sessions.js';
import { BUILTIN_ADMIN } from './core/jail/config-dirs.js';
import { startJail } from './core/jail/jail-start.js';
import { WebhookNotifier } from './core/notify/webhook-notifier.js';
import { createReplicas } from './core/replicas/open-replicas.js';
import { startReplicaView } from './core/replicas/replica-view.js';
import { PreWarmPool } from './core/sessions/prewarm-pool.js';
import { SessionManager } from './core/sessions/session-manager.js';
import { SessionRemoval } from './core/sessions/session-removal.js';
import { SubprocessMonitor } from './core/sessions/subprocess-monitor.js';
import { type OpenTranscripts, openTranscripts } from './core/transcripts/open-transcripts.js';
import type { TranscriptMirror } from './core/transcripts/transcript-mirror.js';
import { WorkspaceService } from './core/workspace/workspace-service.js';
import { Workspaces } from './core/workspace/workspaces.js';
import { openRepositories } from './db/open-repositories.js';
import type { Repositories } from './db/ports.js';
import { ScriptedModel } from './demo/scripted-model.js';
import { createLogger, requestId } from './logger.js';
import { wsMaxFrameBytes } from './protocol/attachments.js';
import type { SessionStatus } from './protocol/messages.js';

export interface App {
  app: FastifyInstance;
  config: Config;
  manager: SessionManager;
  /** Sent attachments (deleteSessionAttachments when a session is deleted). */
  attachments: AttachmentStore;
  chat: ChatService;
  hub: WsHub;
  /** The database (SQLite or PostgreSQL), opened here and nowhere else. */
  repos: Repositories;
  /** Who did what: every part of the server records here (actions: src/protocol/accounting.ts). */
  audit: AuditLog;
  users: UserService;
  /** Who is calling: an ordered list of authenticators (API key and tokens first; more can be added). */
  auth: Authentication;
  limits: UserLimitsService;
  /** The built-in demo model, when the config has no Anthropic key or URL. */
  demoModel: ScriptedModel | null;
  pool: PreWarmPool;
  loader: ExtensionLoader;
  monitor: SubprocessMonitor;
  metrics: Metrics;
  /** The transcript mirror (DATABASE_URL=postgres://…), else undefined. */
  transcripts: TranscriptMirror | undefined;
  /** Graceful stop (tell clients, stop the monitor and pool, let turns finish, end processes); then app.close(). */
  shutdown(): Promise<void>;
}

/** The platform cannot start (main exits 1 with this message). */
export class StartupError extends Error {}

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/web when running compiled, or the same folder when running from src with tsx. */
const WEB_ROOT = [path.resolve(here, 'web'), path.resolve(here, '../dist/web')].find((p) => fs.existsSync(path.join(p, 'index.html')));

export async function buildApp(configIn: Config, opts: { logger?: Logger } = {}): Promise<App> {
  const log = opts.logger ?? createLogger(configIn.logLevel);
  const cleanups: (() => Promise<void> | void)[] = [];

  // 0. Bash sandbox: auto becomes on or off here, once, with the reason in the log.
  let sandbox: ReturnType<typeof decideSandbox>;
  try {
    sandbox = decideSandbox(configIn.sandbox);
  } catch (e) {
    throw new StartupError((e as Error).message);
  }
  log.info({ sandbox: sandbox.enabled }, sandbox.reason);
  const config: Config = { ...configIn, sandbox: sandbox.enabled ? 'on' : 'off' };
  // Warm processes run in PROJECT_DIR; per-user sessions each start cold in their user's folder.
  if (config.workspaces === 'per-user' && config.prewarmPoolSize > 0) {
    log.info(
      { prewarm_pool_size: config.prewarmPoolSize },
      'WORKSPACES=per-user: no pre-warm pool (each session starts in its user folder)',
    );
    config.prewarmPoolSize = 0;
  }

  // 1. Database: the one place it is opened (the engine follows DATABASE_URL); closed last. On PostgreSQL,
  // this replica's leases and channel come first: the repositories take its fence.
  const replicas = createReplicas(config, log);
  cleanups.push(() => replicas.close());
  const repos = await openRepositories(config, { fence: replicas.fence }).catch(async (e: Error) => {
    await replicas.close();
    throw new StartupError(e.message);
  });
  cleanups.push(() => repos.close());
  const audit = new AuditLog(repos.audit, log);
  // Audit entries still being written are stored before the database closes.
  cleanups.push(() => audit.settled());
  // 1b. The agent jail: on or off here, once, with the reason in the log; refused where team users would run unconfined.
  try {
    await startJail(config, repos.users, async (id) => (await repos.sessions.get(id))?.user_id, log);
  } catch (e) {
    await repos.close();
    throw new StartupError((e as Error).message);
  }
  const users = new UserService(repos.users, config.apiKey, { audit: (r) => audit.record(r) });
  const auth = new Authentication().use(secretAuthenticator(users));
  const limits = new UserLimitsService(repos.limits, audit, {
    perUser: config.maxSessionsPerUser,
    shared: () => users.hasOtherUsers(),
  });
  const workspaces = new Workspaces(config, repos.workspaces);
  // Browser sign-ins; a disabled user's browsers are signed out.
  // A sign-in follows its credential: a revoked token's, or another key's, resolves to nobody.
  const keyCred = keyCredential(config.apiKey);
  const tokenOf = (id: string) => repos.users.token(id);
  const webSessions = new WebSessions(repos.webSessions, config.sessionCookieHours * 3_600_000, {
    credentialValid: async (c) => (c.startsWith('token:') ? (await tokenOf(c.slice('token:'.length)))?.revoked_at === null : c === keyCred),
    tokenName: async (id) => (await tokenOf(id))?.name,
  });
  const endedByNewKey = await webSessions.endKeySignInsExcept(keyCred);
  if (endedByNewKey > 0) log.info({ ended: endedByNewKey }, 'browser sign-ins made with a previous API key ended');
  users.listen({
    userDisabled: async (userId) => {
      await webSessions.endAllOf(userId);
    },
  });

  // 2. The model: the configured API, or the built-in demo model on loopback
  let demoModel: ScriptedModel | null = null;
  let modelBaseUrl = config.anthropicBaseUrl;
  if (config.demoMode) {
    demoModel = new ScriptedModel({ maxRecorded: 100 });
    modelBaseUrl = await demoModel.start(0, '127.0.0.1');
    cleanups.push(() => demoModel?.close());
    log.warn({ url: modelBaseUrl }, 'No ANTHROPIC_API_KEY or ANTHROPIC_BASE_URL: using the built-in demo model (scripted answers)');
  }

  // 3. Extensions (re-read from PROJECT_DIR on every load)
  const loader = new ExtensionLoader(config.projectDir, path.join(path.dirname(config.databasePath), 'generated-plugins'), log);

  // 4. Sessions (the metrics' gauges read the manager only when scraped)
  const metrics = new Metrics({
    activeSessions: () => manager.activeCount,
    liveProcesses: () => manager.liveProcessCount,
    dormantSessions: () => manager.dormantCount,
    poolDepth: () => pool.depth(),
    sessionsByStatus: async () => {
      const n: Partial<Record<SessionStatus, number>> = {};
      for (const s of await manager.lists.all()) n[s.status] = (n[s.status] ?? 0) + 1;
      return n;
    },
    wsConnections: () => hub.connections.size,
  });
  // 4a. Transcripts reachable from every replica (DATABASE_URL=postgres://…): mirrored through the SDK's sessionStore.
  let transcripts: OpenTranscripts | undefined;
  try {
    if (config.postgresUrl)
      transcripts = await openTranscripts(config.postgresUrl, {
        log,
        metrics: metrics.transcriptMirror(() => transcripts?.mirror.pendingRepairs ?? 0),
        fence: replicas.fence,
      });
  } catch (e) {
    for (const c of cleanups.reverse()) await c();
    throw new StartupError((e as Error).message);
  }
  if (transcripts) cleanups.push(() => transcripts?.close());
  // Sent attachments, per user in the data folder; Delete can remove a session's (deleteSessionAttachments).
  const attachmentStore = new AttachmentStore(path.join(path.dirname(config.databasePath), 'attachments'));
  const manager = new SessionManager({
    attachments: attachmentStore,
    metrics,
    config,
    repo: repos.sessions,
    history: repos.history,
    log,
    modelBaseUrl,
    extensions: () => loader.loadOptions(),
    rewriteText: (text) => loader.rewriteCommand(text),
    limits,
    workspaces,
    replicas: replicas.replicas,
    transcripts: transcripts?.mirror,
  });
  metrics.observe(manager);
  audit.observe(manager);
  if (config.notifyWebhookUrl) {
    const notifier = new WebhookNotifier({
      url: config.notifyWebhookUrl,
      publicUrl: config.publicUrl,
      logger: log.child({ component: 'webhook' }),
      // Only a title the user gave (the first message's words may hold what should not leave the server).
      titleOf: async (id) => {
        const title = (await manager.find(id))?.summary().title;
        return title != null && (await audit.renamedTitle(id)) === title ? title : undefined;
      },
    });
    manager.on('event', (ev) => notifier.notify(ev));
    cleanups.push(() => notifier.stop());
  }
  await replicas.start({ registry: manager.registry, events: manager, load: (id) => repos.sessions.get(id) });
  await manager.recoverFromPreviousRun();
  void manager.backfillHistory().catch(() => undefined);

  // 5. Pre-warm pool: blocks until one warm process exists
  const pool = new PreWarmPool({
    size: config.prewarmPoolSize,
    log,
    start: (id) => manager.launcher.start({ sessionId: id, resume: false, ownerId: BUILTIN_ADMIN }),
    fingerprint: () => loader.load().fingerprint,
    onStarted: (ms) => manager.launcher.recordStartTime(ms),
  });
  manager.setPool(pool);
  // This replica's figures (/health/ready), stored for the replicas view (GET /api/v1/replicas, /metrics).
  const replicaView = await startReplicaView({
    repo: repos.replicas,
    config,
    liveProcesses: () => manager.liveProcessCount,
    poolDepth: () => pool.depth(),
    draining: () => manager.isShuttingDown,
    log,
    registry: metrics.registry,
  });
  cleanups.push(() => replicaView.stop());
  cleanups.push(() => pool.shutdown());
  if (!(await pool.startupFill())) {
    for (const c of cleanups.reverse()) await c();
    throw new StartupError(
      `Could not start any Claude Code process for the pre-warm pool (PREWARM_POOL_SIZE=${config.prewarmPoolSize}). Check ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL and the logs above.`,
    );
  }

  // 6. The subprocess monitor
  const monitor = new SubprocessMonitor(config, manager, log, metrics, () => pool.pids());
  monitor.start();
  cleanups.push(() => monitor.stop());
  // A crashed run can leave processes no record names (a job the agent detached with
  // setsid); they carry our marker, and one sweep ends them before we serve anyone.
  await monitor.sweep();

  // 7. HTTP + WebSocket
  // pino's Logger is a FastifyBaseLogger; the cast keeps fastify's default type parameters.
  const app = Fastify({
    // Request log lines never carry a key (`?api_key=` of WebSocket URLs).
    loggerInstance: log.child({}, { serializers: { req: redactedRequest } }) as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // Errors raised before routing (a URL that cannot be decoded, an over-long path
    // parameter) get the table's shape like every other error.
    frameworkErrors: (err, _req, reply) =>
      err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? sendError(reply, 'not_found') // only a session id is a parameter: too long to name one
        : sendError(reply, 'invalid_message', 'Malformed URL'),
    genReqId: requestId,
    // A hop count is valid at run time (proxy-addr); fastify's type lists only the other forms.
    ...(config.trustProxy !== undefined ? { trustProxy: config.trustProxy as string | string[] } : {}),
    // Every request is logged but the probes, judged by the route that runs (not the raw URL,
    // which `/%61pi/…` would disguise); a request no route matched is logged too.
    logController: new LogController({
      disableRequestLogging: (req) => routeOf(req)?.startsWith('/api/v1/health/') ?? false,
      requestIdLogLabel: 'request_id',
    }),
  });
  // The request id goes back to the caller, to quote when reporting a problem.
  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  const chat = new ChatService(manager, config.attachments, (r) => audit.record(r));
  const hub = new WsHub(chat, log);
  replicas.replicas.deliverTo({ updated: (s) => hub.summaryChanged(s), relistened: () => hub.resendLists() });
  // A disabled user's sessions end and sockets close; a revoked token's sockets close.
  users.listen({
    userDisabled: async (userId) => {
      hub.closeWhere((p) => p.user_id === userId, 'User disabled');
      await chat.endSessionsOf(userId);
    },
    tokenRevoked: async (tokenId) => {
      hub.closeWhere((p) => p.token_id === tokenId, 'Token revoked');
      // Browsers signed in by exchanging the token are signed out with it.
      for (const id of await webSessions.endByCredential(tokenCredential(tokenId)))
        hub.closeWhere((p) => p.web_session_id === id, 'Token revoked');
    },
  });
  // Frames fit a message with its attachments at the per-message limit, never more (ws closes with 1009 above).
  await app.register(fastifyWebsocket, { options: { maxPayload: wsMaxFrameBytes(config.attachments.maxMessageBytes / (1024 * 1024)) } });
  registerWsGuard(app, config);
  const signIn: SignInDeps = {
    config,
    users,
    auth,
    audit,
    webSessions,
    external: new ExternalUsers(repos.users, audit),
    oidc: config.oidc ? new OidcSignIn(config.oidc) : null,
    signedOut: (id) => hub.closeWhere((p) => p.web_session_id === id, 'Signed out'),
  };
  await registerSignInGuards(app, signIn);
  await registerHttpSecurity(app, config, metrics, auth, (detail) => users.authFailed(detail));
  const stopHeartbeat = startHeartbeat(app.websocketServer, config.wsPingIntervalSeconds * 1000);
  cleanups.push(stopHeartbeat);

  registerErrorHandler(app);
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.url.startsWith('/ws/')) return sendError(reply, 'not_found', 'Route not found');
    return WEB_ROOT ? reply.sendFile('index.html') : reply.code(404).type('text/plain').send('The web UI is not built: run npm run build');
  });

  await registerOpenApi(app);
  registerRest(app, {
    config,
    chat,
    removal: new SessionRemoval({
      manager,
      repo: repos.sessions,
      rows: repos.removals,
      ownSession: (p, id) => chat.ownSession(p, id),
      deleteAttachments: (id) => attachmentStore.deleteSessionAttachments(id),
      audit: (r) => audit.record(r),
      deleteStoredTranscript: transcripts && ((id) => transcripts.mirror.deleteSession(id)),
    }),
    audit,
    users,
    auth,
    accounting: {
      limits,
      userExists: async (id) => (await users.get(id)) !== undefined,
      userIds: async (p) => (await users.list(p)).map((u) => u.user_id),
      openSessionsOf: (id) => manager.openSessionsOf(id),
      sessionsOf: (id) => manager.liveSessionsOf(id),
    },
    signIns: {
      webSessions,
      userExists: async (id) => (await users.get(id)) !== undefined,
      signedOut: (id) => hub.closeWhere((p) => p.web_session_id === id, 'Signed out'),
    },
    replica: () => replicaView.status(),
    replicas: () => replicaView.list(),
    extensions: () => loader.describe(),
    workspace: new WorkspaceService({
      config,
      cwdOf: (id) => workspaces.cwdOf(id),
      transcriptOf: (id) => manager.transcriptFile(id),
    }),
  });
  registerSignInRoutes(app, signIn);
  registerWs(app, config, chat, hub, auth);
  registerMetrics(app, auth, metrics);
  if (WEB_ROOT) {
    await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/', wildcard: false, index: 'index.html' });
    app.get('/chat', (_req, reply) => reply.sendFile('index.html'));
  }

  let shutdownOnce: Promise<void> | null = null;
  const shutdown = () => {
    shutdownOnce ??= (async () => {
      log.info('shutting down');
      hub.broadcast({ type: 'server_shutting_down', message: 'The server is shutting down. Your sessions are saved and can be resumed.' });
      monitor.stop();
      await pool.shutdown();
      const drained = manager.shutdown(config.shutdownGraceSeconds * 1000);
      void replicaView.beat(); // the replicas view shows it draining
      await drained;
      // Children that left their CLI's tree (a setsid'd Bash job, a helper re-parented
      // when its CLI died) carry our marker and nothing owns them now: end them too.
      await monitor.sweep().catch((e: unknown) => log.error({ err: e }, 'final orphan sweep failed'));
      for (const c of hub.connections) c.socket.close(1001, 'Server shutting down');
    })();
    return shutdownOnce;
  };

  app.addHook('onClose', async () => {
    await shutdown();
    for (const c of cleanups.reverse()) await c();
  });

  return {
    app,
    config,
    manager,
    attachments: attachmentStore,
    chat,
    hub,
    repos,
    audit,
    limits,
    users,
    auth,
    demoModel,
    pool,
    loader,
    monitor,
    metrics,
    transcripts: transcripts?.mirror,
    shutdown,
  };
}
