// The workspace routes: the session's files, a folder as a zip, what changed and one file's diff.
// Owner only (another user's session is an unknown one); the rules live in core/workspace/.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatService } from '../core/chat-service.js';
import type { WorkspaceService } from '../core/workspace/workspace-service.js';
import { PlatformError } from '../protocol/errors.js';
import { SessionId } from '../protocol/messages.js';
import { REST_ROUTES as R } from '../protocol/rest-routes.js';
import {
  ArchiveQuery,
  DiffQuery,
  FileContentQuery,
  FilesQuery,
  WORKSPACE_MAX_DOWNLOAD_BYTES,
  WORKSPACE_MAX_VIEW_BYTES,
} from '../protocol/workspace.js';
import { caller } from './rest.js';

export interface WorkspaceRouteDeps {
  chat: ChatService;
  workspace: WorkspaceService;
}

/** A file name for Content-Disposition: an ASCII fallback and the UTF-8 name (RFC 6266). */
export function attachmentHeader(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

function query<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, req: FastifyRequest): T {
  const q = schema.safeParse(req.query ?? {});
  if (!q.success) throw new PlatformError('invalid_message', 'Invalid query: path is a string of at most 4,096 characters');
  return q.data;
}

export function registerWorkspaceRoutes(app: FastifyInstance, d: WorkspaceRouteDeps): void {
  /** The caller's own session named by the URL, or the same 404 as an unknown one. */
  const own = (req: FastifyRequest): string => {
    const id = (req.params as { id: string }).id;
    if (!SessionId.safeParse(id).success) throw new PlatformError('not_found');
    return d.chat.ownSession(caller(req), id);
  };
  // Files are the agent's: never rendered or run by the browser, never cached by anyone else.
  const untrusted = (reply: FastifyReply) =>
    reply
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store');

  app.get('/api/v1/sessions/:id/files', { schema: R.listFiles, attachValidation: true }, async (req) => {
    const id = own(req);
    return d.workspace.list(id, query(FilesQuery, req).path ?? '');
  });

  app.get('/api/v1/sessions/:id/files/content', { schema: R.fileContent, attachValidation: true }, async (req, reply) => {
    const id = own(req);
    const q = query(FileContentQuery, req);
    const download = q.download === '1' || q.download === 'true';
    const file = await d.workspace.content(id, q.path, download ? WORKSPACE_MAX_DOWNLOAD_BYTES : WORKSPACE_MAX_VIEW_BYTES);
    untrusted(reply)
      .type(file.contentType)
      .header('content-length', file.size)
      .header('content-disposition', download ? attachmentHeader(file.name) : 'inline');
    return reply.send(file.stream);
  });

  app.get('/api/v1/sessions/:id/files/archive', { schema: R.fileArchive, attachValidation: true }, async (req, reply) => {
    const id = own(req);
    const zip = await d.workspace.archive(id, query(ArchiveQuery, req).path ?? '');
    untrusted(reply).type('application/zip').header('content-disposition', attachmentHeader(zip.name));
    return reply.send(zip.stream);
  });

  app.get('/api/v1/sessions/:id/changes', { schema: R.changes, attachValidation: true }, async (req) => d.workspace.changes(own(req)));

  app.get('/api/v1/sessions/:id/changes/diff', { schema: R.changeDiff, attachValidation: true }, async (req) => {
    const id = own(req);
    return d.workspace.diff(id, query(DiffQuery, req).path);
  });
}
