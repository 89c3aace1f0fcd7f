// Per-user limit on the expensive authenticated routes (attachment bytes, export, search, fork,
// rewind, a folder's zip): each reads a whole conversation or a file, or starts work. Keyed by the caller's user
// id, so one user over the limit slows no one else; over it, 429 rate_limited with Retry-After
// in the one error shape. (Failed authentication has its own limit, per address.)
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { caller, sendError } from './http-errors.js';

export type RouteGuard = (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined>;

/** A preHandler that counts the request against its user's budget; `when` narrows which requests count. */
export function perUserLimit(app: FastifyInstance, perMinute: number): (when?: (req: FastifyRequest) => boolean) => RouteGuard {
  const limit = app.createRateLimit({ max: perMinute, timeWindow: 60_000, keyGenerator: (req) => `user:${caller(req).user_id}` });
  return (when) => async (req, reply) => {
    if (when && !when(req)) return undefined;
    const state = await limit(req);
    if (state.isAllowed || !state.isExceeded) return undefined;
    reply.header('retry-after', String(Math.max(1, state.ttlInSeconds)));
    return sendError(
      reply,
      'rate_limited',
      `Too many requests of this kind (attachments, export, search, fork, rewind, folder downloads): at most ${perMinute} a minute. Try again in ${Math.max(1, state.ttlInSeconds)} s.`,
    );
  };
}
