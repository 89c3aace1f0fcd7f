// REST for browser sign-ins: the caller's own (list, end one, end all but this one) and, for
// admins, a user's (list, end all). Ending one closes the sockets it opened.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { WebSessions } from '../core/identity/web-sessions.js';
import { PlatformError } from '../protocol/errors.js';
import { REST_ROUTES as R } from '../protocol/rest-routes.js';
import { caller, type NotFoundParams, route } from './http-errors.js';
import { adminOnly } from './rest-admin.js';

export interface SignInListDeps {
  webSessions: WebSessions;
  userExists: (userId: string) => Promise<boolean>;
  /** A sign-in ended (its resolved id): its sockets close. */
  signedOut: (webSessionId: string) => void;
}

const USER: NotFoundParams = { id: ['user_not_found'] };
const SIGN_IN: NotFoundParams = { id: ['not_found', 'Sign-in not found'] };
const admin = <S>(schema: S) => ({ ...route(schema, USER), preValidation: adminOnly });

export function registerSignInListRoutes(scope: FastifyInstance, d: SignInListDeps): void {
  const app = scope.withTypeProvider<ZodTypeProvider>();
  const known = async (id: string) => {
    if (!(await d.userExists(id))) throw new PlatformError('user_not_found');
    return id;
  };
  const ended = (ids: string[]) => {
    for (const id of ids) d.signedOut(id);
    return { ended: ids.length };
  };

  app.get('/api/v1/me/sign-ins', route(R.listMySignIns), async (req) => {
    const p = caller(req);
    return { sign_ins: await d.webSessions.list(p.user_id, p.web_session_id) };
  });

  app.delete('/api/v1/me/sign-ins', route(R.endMySignIns), async (req) => {
    const p = caller(req);
    return ended(await d.webSessions.endAllOf(p.user_id, p.web_session_id));
  });

  app.delete('/api/v1/me/sign-ins/:id', route(R.endMySignIn, SIGN_IN), async (req) => {
    const gone = await d.webSessions.endById(caller(req).user_id, req.params.id);
    if (!gone) throw new PlatformError('not_found', 'Sign-in not found');
    return ended([gone]);
  });

  app.get('/api/v1/users/:id/sign-ins', admin(R.listUserSignIns), async (req) => ({
    sign_ins: await d.webSessions.list(await known(req.params.id), caller(req).web_session_id),
  }));

  app.delete('/api/v1/users/:id/sign-ins', admin(R.endUserSignIns), async (req) =>
    ended(await d.webSessions.endAllOf(await known(req.params.id), caller(req).web_session_id)),
  );
}
