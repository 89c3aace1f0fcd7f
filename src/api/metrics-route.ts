// GET /metrics (Prometheus text), for admins: the API key or an admin's token, as
// `X-API-Key: KEY` or `Authorization: Bearer KEY` (what Prometheus' `authorization`
// scrape setting sends). They cover every user. Refused keys are counted (and
// rate-limited) in http-security.ts.
import type { FastifyInstance } from 'fastify';
import type { Metrics } from '../core/accounting/metrics.js';
import { isAdmin } from '../core/identity/principal.js';
import type { Authentication } from './authenticate.js';
import { sendError } from './http-errors.js';

export function registerMetrics(app: FastifyInstance, auth: Authentication, metrics: Metrics): void {
  app.get('/metrics', async (req, reply) => {
    const p = await auth.principalOf(req);
    if (!p) return sendError(reply, 'unauthorized');
    if (!isAdmin(p)) return sendError(reply, 'forbidden');
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
