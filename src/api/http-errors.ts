// Errors over HTTP, in the table's shape ({error, message}) and in one place: the reply helper, the caller of
// an authenticated request, and the one error handler, which also words every failed request validation
// (routes hand their zod schemas to fastify; nothing parses again by hand).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from '../core/identity/principal.js';
import { ERRORS, type ErrorCode, PlatformError, VALIDATION_MESSAGES } from '../protocol/errors.js';

export function sendError(reply: FastifyReply, code: ErrorCode, message?: string): FastifyReply {
  return reply.code(ERRORS[code].status).send({ error: code, message: message ?? ERRORS[code].message });
}

/** The caller of a request past the authentication hook. */
export function caller(req: FastifyRequest): Principal {
  if (!req.principal) throw new PlatformError('unauthorized');
  return req.principal;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route's path parameters name (see `route`). */
    notFound?: NotFoundParams;
  }
}

/** What a malformed path parameter names: it answers like an unknown one (a 404 with that thing's code). */
export type NotFoundParams = Record<string, [ErrorCode, string?]>;
export const SESSION_PARAMS: NotFoundParams = { id: ['not_found'], attachment_id: ['not_found', 'Attachment not found'] };

/** Route options: its schema, and what its path parameters name (for the 404 of a malformed one). */
export function route<S>(schema: S, params?: NotFoundParams): { schema: S; config: { notFound?: NotFoundParams } } {
  return { schema, config: params ? { notFound: params } : {} };
}

interface Issue {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: { keys?: string[] };
}

const OWN_MESSAGES = new Set<string>(Object.values(VALIDATION_MESSAGES));

/** The first problem of a request's body or query, as one sentence. */
export function validationMessage(context: string, issues: Issue[]): string {
  const i = issues[0];
  if (!i) return 'Invalid request';
  const where = i.instancePath.split('/').filter(Boolean).join('.');
  const message = i.message ?? 'invalid';
  if (context === 'querystring') return `Invalid query parameter ${where}: ${message}`;
  if (i.keyword === 'unrecognized_keys') {
    const keys = i.params?.keys ?? [];
    return `Unknown field${keys.length > 1 ? 's' : ''}: ${keys.join(', ')}`;
  }
  // The contract's own wording (a title's length…) stands alone.
  if (OWN_MESSAGES.has(message)) return message;
  return `Invalid field ${where || '(body)'}: ${message}`;
}

function validationError(err: FastifyError, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const issues = (err.validation ?? []) as Issue[];
  if (err.validationContext === 'params') {
    const notFound = req.routeOptions.config.notFound ?? {};
    const param = issues[0]?.instancePath.split('/').filter(Boolean)[0] ?? '';
    const [code, message] = notFound[param] ?? ['not_found'];
    return sendError(reply, code, message);
  }
  return sendError(reply, 'invalid_message', validationMessage(err.validationContext ?? 'body', issues));
}

/** The one error handler: table errors as they are, validation worded, fastify's own errors mapped, the rest logged. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof PlatformError) return sendError(reply, err.code, err.message);
    if (err.validation) return validationError(err, req, reply);
    const code = err.code;
    const status = err.statusCode;
    if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) return sendError(reply, 'invalid_json');
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE' || status === 413) return sendError(reply, 'payload_too_large');
    if (status === 429) return sendError(reply, 'rate_limited');
    // Fastify's own 4xx texts describe the request, not the server: they may go back.
    if (code?.startsWith('FST_ERR_CTP') || status === 400) return sendError(reply, 'invalid_message', err.message);
    req.log.error({ err }, 'request failed');
    return sendError(reply, 'internal_error');
  });
}
