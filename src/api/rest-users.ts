// REST for identity: /me, users (admin) and API tokens (own; an admin's for anyone).
// Authentication ran before (the enclosing scope's hook); the rules are UserService's.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireAdmin } from '../core/identity/principal.js';
import type { UserService } from '../core/identity/users.js';
import { PlatformError } from '../protocol/errors.js';
import {
  CreateTokenRequest,
  CreateUserRequest,
  type MeResponse,
  TokenIdParams,
  UpdateUserRequest,
  UserIdParams,
  UserTokenParams,
} from '../protocol/messages.js';
import { REST_ROUTES as R } from '../protocol/rest-routes.js';
import { caller, sendError } from './rest.js';

/** A first issue as the answer's message: "name: Too small..." reads better than zod's list. */
function invalid(reply: FastifyReply, error: { issues: { path: PropertyKey[]; message: string }[] }) {
  const i = error.issues[0];
  const where = i?.path.map(String).join('.');
  return sendError(reply, 'invalid_message', where ? `Invalid field ${where}: ${i?.message}` : (i?.message ?? 'Invalid body'));
}

/** A malformed id cannot name a user or token: the same 404 as an unknown one. */
function userId(req: FastifyRequest): string {
  const p = UserIdParams.safeParse(req.params);
  if (!p.success) throw new PlatformError('user_not_found');
  return p.data.id;
}

export function registerUserRoutes(app: FastifyInstance, users: UserService): void {
  const opts = <S>(schema: S) => ({ schema, attachValidation: true });

  app.get('/api/v1/me', { schema: R.me }, async (req): Promise<MeResponse> => {
    const p = caller(req);
    return { user_id: p.user_id, name: p.name, role: p.role, via: p.via };
  });

  app.get('/api/v1/users', { schema: R.listUsers }, async (req) => ({ users: users.list(caller(req)) }));

  app.post('/api/v1/users', opts(R.createUser), async (req, reply) => {
    const p = caller(req);
    requireAdmin(p); // before the body: a member learns nothing from validation
    const b = CreateUserRequest.safeParse(req.body ?? {});
    if (!b.success) return invalid(reply, b.error);
    return reply.code(201).send(users.create(p, b.data));
  });

  app.patch('/api/v1/users/:id', opts(R.updateUser), async (req, reply) => {
    const p = caller(req);
    requireAdmin(p);
    const id = userId(req);
    const b = UpdateUserRequest.safeParse(req.body ?? {});
    if (!b.success) return invalid(reply, b.error);
    return users.update(p, id, b.data);
  });

  app.delete('/api/v1/users/:id', opts(R.deleteUser), async (req) => {
    const p = caller(req);
    requireAdmin(p);
    return users.disable(p, userId(req));
  });

  app.get('/api/v1/me/tokens', { schema: R.listMyTokens }, async (req) => ({ tokens: users.tokens(caller(req)) }));

  app.post('/api/v1/me/tokens', opts(R.createMyToken), async (req, reply) => {
    const b = CreateTokenRequest.safeParse(req.body ?? {});
    if (!b.success) return invalid(reply, b.error);
    return reply.code(201).send(users.createToken(caller(req), b.data.name));
  });

  app.delete('/api/v1/me/tokens/:id', opts(R.deleteMyToken), async (req) => {
    const t = TokenIdParams.safeParse(req.params);
    if (!t.success) throw new PlatformError('token_not_found');
    return users.revokeToken(caller(req), t.data.id);
  });

  app.get('/api/v1/users/:id/tokens', opts(R.listUserTokens), async (req) => {
    const p = caller(req);
    requireAdmin(p);
    return { tokens: users.tokens(p, userId(req)) };
  });

  app.post('/api/v1/users/:id/tokens', opts(R.createUserToken), async (req, reply) => {
    const p = caller(req);
    requireAdmin(p);
    const id = userId(req);
    const b = CreateTokenRequest.safeParse(req.body ?? {});
    if (!b.success) return invalid(reply, b.error);
    return reply.code(201).send(users.createToken(p, b.data.name, id));
  });

  app.delete('/api/v1/users/:id/tokens/:token_id', opts(R.deleteUserToken), async (req) => {
    const p = caller(req);
    requireAdmin(p);
    const t = UserTokenParams.safeParse(req.params);
    if (!t.success) throw new PlatformError(UserIdParams.safeParse(req.params).success ? 'token_not_found' : 'user_not_found');
    return users.revokeToken(p, t.data.token_id, t.data.id);
  });
}
