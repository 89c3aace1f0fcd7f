// HTTP protections in front of every route: security headers (helmet, with the
// CSP of the web UI), the failed-authentication limit per client address
// (@fastify/rate-limit), and the redaction of keys from logged URLs.
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { Metrics } from '../core/accounting/metrics.js';
import type { Authentication } from './authenticate.js';
import { sendError } from './http-errors.js';

/** The web UI's policy: its own scripts, styles and sockets only; images from itself,
 * data: URLs, or blob: URLs the page made itself (attachment thumbnails fetched with the
 * key); a remote image in an answer would be a silent request to anywhere. */
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  imgSrc: ["'self'", 'data:', 'blob:'],
  manifestSrc: ["'self'"],
  objectSrc: ["'none'"],
  scriptSrc: ["'self'"],
  scriptSrcAttr: ["'none'"],
  styleSrc: ["'self'"],
};

/**
 * The route Fastify matched for a request (`/api/v1/sessions/:id`), undefined when none did.
 * Decisions by path (the cookie's Origin rule, the probes' exemptions) use this, never the raw
 * URL: the router decodes `/%61pi/v1/sessions` to the same route as `/api/v1/sessions`.
 */
export function routeOf(req: object): string | undefined {
  return (req as Partial<FastifyRequest>).routeOptions?.url;
}

/** Query parameter names (decoded, any case) whose value is a secret: keys, tokens, codes. */
const SECRET_PARAM = /key|token|secret|pass|auth|sig|credential|code|cookie|session/i;

const decodeName = (raw: string): string => {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw; // a name that cannot be decoded is judged as written
  }
};

/**
 * The URL with the value of every secret-named query parameter replaced, judged by the name
 * as the server decodes it (`api%5Fkey`, `API_KEY`, each of repeated keys): a key or a wrong
 * guess at one never reaches a log line. A value without a name (`?x&=k`) is redacted too.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash < 0 ? undefined : hash);
  const parts = query.split(/([&;])/).map((part, i) => {
    if (i % 2 === 1 || part === '') return part;
    const eq = part.indexOf('=');
    const name = decodeName(eq < 0 ? part : part.slice(0, eq));
    if (eq < 0) return SECRET_PARAM.test(name) ? '[REDACTED]' : part;
    return name === '' || SECRET_PARAM.test(name) ? `${part.slice(0, eq)}=[REDACTED]` : part;
  });
  return `${url.slice(0, q + 1)}${parts.join('')}${hash < 0 ? '' : url.slice(hash)}`;
}

/** Fastify's request serializer with the key taken out of the URL. */
export function redactedRequest(req: FastifyRequest) {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket ? req.socket.remotePort : undefined,
  };
}

export async function registerHttpSecurity(
  app: FastifyInstance,
  config: Config,
  metrics: Metrics,
  auth: Authentication,
  /** Told of every failed authentication (the audit log). */
  onFailure: (detail: { ip: string; transport: 'http' | 'websocket' }) => void = () => {},
): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // HSTS belongs to the TLS terminator in front; over plain HTTP browsers ignore it anyway.
    strictTransportSecurity: false,
  });

  // Counts failures only (a 401 answer, or a WebSocket upgrade with a wrong key, a revoked
  // token or a disabled user's): a client with a valid credential never spends the budget. Once an address is over it, every request
  // from it is refused (a right key too, so a right guess cannot stand out) until the window
  // ends; the probes stay open.
  await app.register(rateLimit, { global: false });
  const failures = app.createRateLimit({ max: config.authFailuresPerMinute, timeWindow: 60_000 });
  const failed = async (req: FastifyRequest, transport: 'http' | 'websocket') => {
    metrics.authFailures.inc({ transport });
    onFailure({ ip: req.ip, transport });
    req.log.warn({ ip: req.ip, transport, url: redactUrl(req.url) }, 'authentication failed');
    await failures(req);
  };

  app.addHook('onRequest', async (req, reply) => {
    if (routeOf(req)?.startsWith('/api/v1/health/')) return;
    const state = await failures(req, { increment: false });
    if (!state.isAllowed && state.remaining <= 0) {
      reply.header('retry-after', String(Math.max(1, state.ttlInSeconds)));
      return sendError(reply, 'rate_limited');
    }
    // A refused WebSocket is upgraded and then closed with 1008: it fails here, at the request.
    if (req.ws && !(await auth.principalOf(req))) await failed(req, 'websocket');
  });
  app.addHook('onResponse', async (req, reply) => {
    if (reply.statusCode === 401) await failed(req, 'http');
  });
}
