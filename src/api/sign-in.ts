// Browser sign-in: the cookie session (a credential like the API key, for REST and the
// WebSocket), its CSRF rule, the OpenID provider's redirect and callback, the exchange of
// a key or personal token for a cookie, sign-out, and the trusted proxy's user header.
import net from 'node:net';
import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from '../config/config.js';
import type { AuditLog } from '../core/accounting/audit-log.js';
import type { ExternalUsers } from '../core/identity/external-users.js';
import { type OidcSignIn, SignInError } from '../core/identity/oidc-sign-in.js';
import type { Principal } from '../core/identity/principal.js';
import type { UserService } from '../core/identity/users.js';
import { keyCredential, tokenCredential, type WebSessions } from '../core/identity/web-sessions.js';
import type { MeResponse, SignInStateResponse } from '../protocol/messages.js';
import { REST_ROUTES as R } from '../protocol/rest-routes.js';
import { type Authentication, secretOf } from './authenticate.js';
import { sendError } from './http-errors.js';
import { routeOf } from './http-security.js';
import { originIsOurs } from './origin.js';

export const SESSION_COOKIE = 'csp_session';
/** Holds the key of this browser's pending OIDC sign-in (its state, nonce and PKCE verifier stay on the server). */
const PENDING_COOKIE = 'csp_oidc';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface SignInDeps {
  config: Config;
  users: Pick<UserService, 'principalForSecret' | 'principalForUser'>;
  external: ExternalUsers;
  webSessions: WebSessions;
  oidc: OidcSignIn | null;
  auth: Authentication;
  audit: Pick<AuditLog, 'record'>;
  /** A browser signed out: the sockets it opened with that sign-in close. */
  signedOut?: (webSessionId: string) => void;
}

/** Addresses (CIDR allowed) as a matcher of TCP peers; IPv4-mapped IPv6 peers match their IPv4 form. */
export function addressMatcher(list: string[]): (address: string | undefined) => boolean {
  const block = new net.BlockList();
  for (const entry of list) {
    const [addr = '', bits] = entry.split('/');
    const type = net.isIPv6(addr) ? 'ipv6' : 'ipv4';
    if (bits === undefined) block.addAddress(addr, type);
    else block.addSubnet(addr, Number(bits), type);
  }
  return (address) => {
    if (!address) return false;
    const v4 = address.startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : address;
    return net.isIP(v4) !== 0 && block.check(v4, net.isIPv6(v4) ? 'ipv6' : 'ipv4');
  };
}

/** Secure when the browser talks TLS to us or to the proxy in front (X-Forwarded-Proto, with TRUST_PROXY), or PUBLIC_URL is https. */
const secure = (req: FastifyRequest, config: Config) => req.protocol === 'https' || config.publicUrl?.startsWith('https:') === true;

function setSessionCookie(reply: FastifyReply, req: FastifyRequest, config: Config, value: string, expires: Date): void {
  reply.setCookie(SESSION_COOKIE, value, { httpOnly: true, sameSite: 'lax', secure: secure(req, config), path: '/', expires });
}

/**
 * Cookie parsing, the trusted-proxy rule and the CSRF rule: before any authentication
 * (register before the HTTP security hooks, which authenticate WebSocket upgrades).
 */
export async function registerSignInGuards(app: FastifyInstance, d: SignInDeps): Promise<void> {
  const { config } = d;
  await app.register(fastifyCookie);

  const proxy = config.authProxy;
  const trusted = addressMatcher(proxy?.trustedAddresses ?? []);
  if (proxy) {
    // The header names a user: believed only from a listed proxy, refused (not ignored) from anyone else.
    app.addHook('onRequest', async (req, reply) => {
      if (req.headers[proxy.header] === undefined || routeOf(req)?.startsWith('/api/v1/health/')) return;
      if (trusted(req.socket.remoteAddress)) return;
      req.log.warn(
        { peer: req.socket.remoteAddress, header: proxy.header },
        'sign-in header from an address that is not a trusted proxy: refused',
      );
      return sendError(reply, 'unauthorized', 'The sign-in header is accepted only from a trusted proxy');
    });
    d.auth.use(async (req) => {
      const raw = req.headers[proxy.header];
      const name = typeof raw === 'string' ? raw.trim() : '';
      if (!name || name.length > 200 || !trusted(req.socket.remoteAddress)) return null;
      try {
        const u = await d.external.userFor({ subject: `proxy:${name}`, name, role: null }, 'proxy');
        return await d.users.principalForUser(u.user_id, 'proxy');
      } catch {
        return null; // disabled
      }
    });
  }

  d.auth.use(async (req) => {
    const s = await d.webSessions.resolve(req.cookies?.[SESSION_COOKIE]);
    const p = s ? await d.users.principalForUser(s.userId, 'cookie') : null;
    return p && s ? { ...p, web_session_id: s.id, expires_at: s.expiresAt } : null;
  });

  // A cookie rides along on requests other sites make; a header credential cannot.
  app.addHook('onRequest', async (req, reply) => {
    // The route that will run decides, not the raw URL (`/%61pi/v1/…` is routed as `/api/v1/…`).
    if (!UNSAFE.has(req.method) || !routeOf(req)?.startsWith('/api/') || !req.cookies?.[SESSION_COOKIE]) return;
    if (secretOf(req) !== undefined || originIsOurs(req, config)) return;
    req.log.warn({ ip: req.ip, origin: req.headers.origin ?? null, url: req.url }, 'cookie request without our Origin: refused');
    return sendError(reply, 'origin_not_allowed');
  });
}

const me = (p: Principal, via: MeResponse['via'] = p.via): MeResponse => ({ user_id: p.user_id, name: p.name, role: p.role, via });

export function registerSignInRoutes(app: FastifyInstance, d: SignInDeps): void {
  const { config, oidc } = d;

  app.get('/api/v1/auth/session', { schema: R.signInState }, async (req): Promise<SignInStateResponse> => {
    const p = await d.auth.principalOf(req);
    return { user: p ? me(p) : null, oidc: oidc !== null, proxy: config.authProxy !== null };
  });

  // The key or a personal token for a cookie: the page then holds no secret of its own.
  // The Origin before the body (preValidation): another site's page learns nothing from validation.
  const ourOriginOrNone = async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.headers.origin !== undefined && !originIsOurs(req, config)) return sendError(reply, 'origin_not_allowed');
  };
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.post('/api/v1/auth/session', { schema: R.signIn, preValidation: ourOriginOrNone }, async (req, reply) => {
    const p = await d.users.principalForSecret(req.body.token);
    if (!p) return sendError(reply, 'unauthorized');
    // The sign-in stands on what was exchanged: the key (until the server starts with another) or the token (until revoked).
    const s = await d.webSessions.start(p.user_id, p.via === 'key' ? 'key' : 'token', {
      credential: p.via === 'key' ? keyCredential(config.apiKey) : p.token_id ? tokenCredential(p.token_id) : null,
      userAgent: req.headers['user-agent'],
    });
    setSessionCookie(reply, req, config, s.value, s.expiresAt);
    d.audit.record({ actor_user_id: p.user_id, action: 'auth.sign_in', detail: { method: p.via } });
    return me(p, 'cookie');
  });

  app.post('/api/v1/auth/sign-out', { schema: R.signOut }, async (req, reply) => {
    const value = req.cookies?.[SESSION_COOKIE];
    const s = await d.webSessions.resolve(value);
    await d.webSessions.end(value);
    if (s) d.signedOut?.(s.id);
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure(req, config) });
    if (s) d.audit.record({ actor_user_id: s.userId, action: 'auth.sign_out', detail: { method: s.via } });
    return { signed_out: true };
  });

  // The browser's way to the provider and back: redirects, not API calls (no JSON).
  // Each start keeps a pending sign-in in memory: starts are limited per client address.
  const loginStarts = app.createRateLimit({ max: config.oidcLoginStartsPerMinute, timeWindow: 60_000 });
  app.get('/auth/oidc/login', async (req, reply) => {
    if (!oidc) return sendError(reply, 'not_found', 'Sign-in with an identity provider is not configured');
    const limit = await loginStarts(req);
    if (!limit.isAllowed && limit.isExceeded) {
      req.log.warn({ ip: req.ip }, 'sign-in starts over the limit for this address: refused');
      reply.header('retry-after', String(Math.max(1, limit.ttlInSeconds)));
      return sendError(reply, 'rate_limited', 'Too many sign-in attempts from this address. Try again later.');
    }
    let started: { url: string; key: string };
    try {
      started = await oidc.begin(req.ip);
    } catch (e) {
      if (e instanceof SignInError) return reply.redirect(`/chat?signin_error=${e.reason}`);
      req.log.error({ err: e as Error }, 'the OpenID provider cannot be reached');
      return reply.redirect('/chat?signin_error=provider_unavailable');
    }
    reply.setCookie(PENDING_COOKIE, started.key, {
      httpOnly: true,
      sameSite: 'lax',
      secure: secure(req, config),
      path: '/auth/oidc',
      maxAge: 600,
    });
    return reply.redirect(started.url);
  });

  app.get('/auth/oidc/callback', async (req, reply) => {
    if (!oidc || !config.oidc) return sendError(reply, 'not_found', 'Sign-in with an identity provider is not configured');
    reply.clearCookie(PENDING_COOKIE, { path: '/auth/oidc' });
    const url = new URL(config.oidc.redirectUri);
    url.search = new URL(req.url, 'http://callback').search;
    try {
      const identity = await oidc.finish(req.cookies?.[PENDING_COOKIE], url);
      if (!oidc.allowed(identity)) throw new SignInError('not_allowed', `${identity.subject} is in none of the allowed groups`);
      const user = await d.external.userFor({ subject: identity.subject, name: identity.name, role: oidc.roleOf(identity) }, 'oidc');
      const s = await d.webSessions.start(user.user_id, 'oidc', { userAgent: req.headers['user-agent'] });
      setSessionCookie(reply, req, config, s.value, s.expiresAt);
      d.audit.record({ actor_user_id: user.user_id, action: 'auth.sign_in', detail: { method: 'oidc' } });
      return reply.redirect('/chat');
    } catch (e) {
      const reason = e instanceof SignInError ? e.reason : 'sign_in_failed';
      req.log.warn({ ip: req.ip, reason, err: (e as Error).message }, 'OIDC sign-in refused');
      d.audit.record({ actor_user_id: 'anonymous', action: 'auth.sign_in_failed', detail: { method: 'oidc', reason } });
      return reply.redirect(`/chat?signin_error=${reason}`);
    }
  });
}
