// GET /metrics (Prometheus text), behind the API key: `X-API-Key: KEY` or
// `Authorization: Bearer KEY` (what Prometheus' `authorization` scrape setting sends).
// Refused keys are counted (and rate-limited) in http-security.ts.
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
}
