// The workspace routes: the session's files, a folder as a zip, what changed and one file's diff.
// Owner only (another user's session is an unknown one); the rules live in core/workspace/.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import type { ChatService } from '../core/chat-service.js';
import type { WorkspaceService } from '../core/workspace/workspace-service.js';
import { REST_ROUTES as R } from '../protocol/rest-routes.js';
import { type ArchiveQuery, type FileContentQuery, WORKSPACE_MAX_DOWNLOAD_BYTES, WORKSPACE_MAX_VIEW_BYTES } from '../protocol/workspace.js';
import { caller, route, SESSION_PARAMS as S } from './http-errors.js';
import type { RouteGuard } from './user-rate-limit.js';

export interface WorkspaceRouteDeps {
  chat: ChatService;
  workspace: WorkspaceService;
  /** The per-user limit of expensive requests: a folder's zip reads every file of it. */
  heavy?: RouteGuard;
}

/** A file name for Content-Disposition: an ASCII fallback and the UTF-8 name (RFC 6266). */
export function attachmentHeader(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

export function registerWorkspaceRoutes(app: FastifyInstance, d: WorkspaceRouteDeps): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  /** The caller's own session named by the URL (fastify checked its form), or the same 404 as an unknown one. */
  const own = (req: FastifyRequest): Promise<string> => d.chat.ownSession(caller(req), (req.params as { id: string }).id);
  // Files are the agent's: never rendered or run by the browser, never cached by anyone else.
  const untrusted = (reply: FastifyReply) =>
    reply
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store');

  typed.get('/api/v1/sessions/:id/files', route(R.listFiles, S), async (req) =>
    d.workspace.list(await own(req), req.query.path ?? '', req.query.offset, req.query.limit),
  );

  // Streams are no JSON the type provider could type: these two answer on the plain scope.
  app.get('/api/v1/sessions/:id/files/content', route(R.fileContent, S), async (req, reply) => {
    const id = await own(req);
    const q = req.query as z.infer<typeof FileContentQuery>;
    const download = q.download === '1' || q.download === 'true';
    const file = await d.workspace.content(id, q.path, download ? WORKSPACE_MAX_DOWNLOAD_BYTES : WORKSPACE_MAX_VIEW_BYTES);
    untrusted(reply)
      .type(file.contentType)
      .header('content-length', file.size)
      .header('content-disposition', download ? attachmentHeader(file.name) : 'inline');
    return reply.send(file.stream);
  });

  app.get(
    '/api/v1/sessions/:id/files/archive',
    { ...route(R.fileArchive, S), ...(d.heavy ? { preHandler: d.heavy } : {}) },
    async (req, reply) => {
      const id = await own(req);
      const zip = await d.workspace.archive(id, (req.query as z.infer<typeof ArchiveQuery>).path ?? '');
      untrusted(reply).type('application/zip').header('content-disposition', attachmentHeader(zip.name));
      return reply.send(zip.stream);
    },
  );

  typed.get('/api/v1/sessions/:id/changes', route(R.changes, S), async (req) => d.workspace.changes(await own(req)));

  typed.get('/api/v1/sessions/:id/changes/diff', route(R.changeDiff, S), async (req) => d.workspace.diff(await own(req), req.query.path));
}
