// GET /metrics (Prometheus text), behind the API key: `X-API-Key: KEY` or
// `Authorization: Bearer KEY` (what Prometheus' `authorization` scrape setting sends).
// Also counts refused keys on every transport.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';
import type { Metrics } from '../core/metrics.js';
import { keyMatches } from './auth.js';
import { sendError } from './rest.js';

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return typeof h === 'string' && /^Bearer /i.test(h) ? h.slice(7).trim() : undefined;
}

export function registerMetrics(app: FastifyInstance, config: Config, metrics: Metrics): void {
  app.get('/metrics', async (req, reply) => {
    if (!keyMatches(req.headers['x-api-key'], config.apiKey) && !keyMatches(bearer(req), config.apiKey))
      return sendError(reply, 'unauthorized');
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.addHook('onResponse', async (_req, reply) => {
    if (reply.statusCode === 401) metrics.authFailures.inc({ transport: 'http' });
  });
  // A refused WebSocket is upgraded first, then closed with 1008: count it from the request.
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/ws/')) return;
    const q = req.query as Record<string, unknown>;
    if (!keyMatches(req.headers['x-api-key'] ?? q.api_key, config.apiKey)) metrics.authFailures.inc({ transport: 'websocket' });
  });
}
