// REST for per-user limits (admins set them) and usage (everyone their own; admins anyone's).
// Authentication ran before (the enclosing scope's hook); the rules are the core services'.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { UserLimitsService } from '../core/accounting/user-limits.js';
import { isAdmin, type Principal, requireAdmin } from '../core/identity/principal.js';
import { UsageQuery, UserLimits } from '../protocol/accounting.js';
import { PlatformError } from '../protocol/errors.js';
import { UserIdParams } from '../protocol/messages.js';
import { REST_ROUTES as R } from '../protocol/rest-routes.js';
import { caller, sendError } from './rest.js';

export interface AccountingDeps {
  limits: UserLimitsService;
  /** Whether a user exists (limits can be set only on one). */
  userExists: (userId: string) => boolean;
  /** Every user id (usage for admins; the caller must be one). */
  userIds: (caller: Principal) => string[];
  /** The user's open sessions (what their session limit counts). */
  openSessionsOf: (userId: string) => number;
}

function invalid(reply: FastifyReply, error: { issues: { path: PropertyKey[]; message: string }[] }, what: string) {
  const i = error.issues[0];
  const where = i?.path.map(String).join('.');
  return sendError(reply, 'invalid_message', `Invalid ${what}${where ? ` ${where}` : ''}: ${i?.message ?? 'invalid'}`);
}

export function registerAccountingRoutes(app: FastifyInstance, d: AccountingDeps): void {
  const opts = <S>(schema: S) => ({ schema, attachValidation: true });

  app.put('/api/v1/users/:id/limits', opts(R.setUserLimits), async (req, reply) => {
    const p = caller(req);
    requireAdmin(p);
    const id = UserIdParams.safeParse(req.params);
    if (!id.success || !d.userExists(id.data.id)) throw new PlatformError('user_not_found');
    const b = UserLimits.safeParse(req.body ?? {});
    if (!b.success) return invalid(reply, b.error, 'field');
    return d.limits.set(p.user_id, id.data.id, b.data);
  });

  app.get('/api/v1/usage', opts(R.usage), async (req, reply) => {
    const p = caller(req);
    const q = UsageQuery.safeParse(req.query ?? {});
    if (!q.success) return invalid(reply, q.error, 'query parameter');
    // A member sees their own usage (asking for anyone else's is forbidden); an admin everyone's or one user's.
    const asked = q.data.user_id;
    if (!isAdmin(p) && asked !== undefined && asked !== p.user_id) throw new PlatformError('forbidden');
    if (asked !== undefined && !d.userExists(asked)) throw new PlatformError('user_not_found');
    const ids = !isAdmin(p) ? [p.user_id] : asked !== undefined ? [asked] : d.userIds(p);
    return d.limits.usage(ids.map((user_id) => ({ user_id, live: d.openSessionsOf(user_id) })));
  });
}
