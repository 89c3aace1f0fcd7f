// REST for per-user limits (admins set them) and usage (everyone their own; admins anyone's).
// Authentication ran before (the enclosing scope's hook); fastify validated the request with the route
// schemas; the rules are the core services'.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { type OpenSessionView, usageFor } from '../core/accounting/usage.js';
import type { UserLimitsService } from '../core/accounting/user-limits.js';
import type { Principal } from '../core/identity/principal.js';
import { PlatformError } from '../protocol/errors.js';
import { REST_ROUTES as R } from '../protocol/rest-routes.js';
import { caller, route } from './http-errors.js';
import { adminOnly } from './rest-admin.js';

export interface AccountingDeps {
  limits: UserLimitsService;
  /** Whether a user exists (limits can be set only on one). */
  userExists: (userId: string) => Promise<boolean>;
  /** Every user id (usage for admins; the caller must be one). */
  userIds: (caller: Principal) => Promise<string[]>;
  /** The user's open sessions (what their session limit counts). */
  openSessionsOf: (userId: string) => number;
  /** The user's open sessions in memory (live processes and sleeping sessions are counted apart). */
  sessionsOf?: (userId: string) => readonly OpenSessionView[];
}

export function registerAccountingRoutes(scope: FastifyInstance, d: AccountingDeps): void {
  const app = scope.withTypeProvider<ZodTypeProvider>();

  app.put('/api/v1/users/:id/limits', { ...route(R.setUserLimits, { id: ['user_not_found'] }), preValidation: adminOnly }, async (req) => {
    if (!(await d.userExists(req.params.id))) throw new PlatformError('user_not_found');
    return d.limits.set(caller(req).user_id, req.params.id, req.body);
  });

  app.get('/api/v1/usage', route(R.usage), async (req) => {
    const p = caller(req);
    return usageFor(p, req.query.user_id, d);
  });
}
