// REST for identity: /me, users (admin) and API tokens (own; an admin's for anyone).
// Authentication ran before (the enclosing scope's hook); fastify validated the request with the route
// schemas (a malformed user or token id answers like an unknown one); the rules are UserService's.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { UserService } from '../core/identity/users.js';
import type { MeResponse } from '../protocol/messages.js';
import { REST_ROUTES as R } from '../protocol/rest-routes.js';
import { caller, type NotFoundParams, route } from './http-errors.js';
import { adminOnly } from './rest-admin.js';

const USER: NotFoundParams = { id: ['user_not_found'], token_id: ['token_not_found'] };
const TOKEN: NotFoundParams = { id: ['token_not_found'] };
/** The role before the body: a member learns nothing from validation. */
const admin = <S>(schema: S, params?: NotFoundParams) => ({ ...route(schema, params), preValidation: adminOnly });

export function registerUserRoutes(scope: FastifyInstance, users: UserService): void {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.get('/api/v1/me', route(R.me), async (req): Promise<MeResponse> => {
    const p = caller(req);
    return { user_id: p.user_id, name: p.name, role: p.role, via: p.via };
  });

  app.get('/api/v1/users', route(R.listUsers), async (req) => ({ users: await users.list(caller(req)) }));

  app.post('/api/v1/users', admin(R.createUser), async (req, reply) => reply.code(201).send(await users.create(caller(req), req.body)));

  app.patch('/api/v1/users/:id', admin(R.updateUser, USER), async (req) => users.update(caller(req), req.params.id, req.body));

  app.delete('/api/v1/users/:id', admin(R.deleteUser, USER), async (req) => users.disable(caller(req), req.params.id));

  app.get('/api/v1/me/tokens', route(R.listMyTokens), async (req) => ({ tokens: await users.tokens(caller(req)) }));

  app.post('/api/v1/me/tokens', route(R.createMyToken), async (req, reply) =>
    reply.code(201).send(await users.createToken(caller(req), req.body.name)),
  );

  app.delete('/api/v1/me/tokens/:id', route(R.deleteMyToken, TOKEN), async (req) => users.revokeToken(caller(req), req.params.id));

  app.get('/api/v1/users/:id/tokens', admin(R.listUserTokens, USER), async (req) => ({
    tokens: await users.tokens(caller(req), req.params.id),
  }));

  app.post('/api/v1/users/:id/tokens', admin(R.createUserToken, USER), async (req, reply) =>
    reply.code(201).send(await users.createToken(caller(req), req.body.name, req.params.id)),
  );

  app.delete('/api/v1/users/:id/tokens/:token_id', admin(R.deleteUserToken, USER), async (req) =>
    users.revokeToken(caller(req), req.params.token_id, req.params.id),
  );
}
