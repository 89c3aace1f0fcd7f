// The one Origin policy, for the WebSocket upgrade and for changes made with the sign-in cookie (CSRF).
import type { FastifyRequest } from 'fastify';
import type { Config } from '../config/config.js';

/**
 * Whether a browser's Origin is one of ours: this server as the browser reached it (Host), PUBLIC_URL,
 * or an origin listed in ALLOWED_ORIGINS (`*` lists every origin). A request without Origin is no
 * browser's page: each caller decides what that means (a WebSocket client may go on; a cookie change may not).
 */
export function originIsOurs(req: FastifyRequest, config: Pick<Config, 'publicUrl' | 'allowedOrigins'>): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  if (config.allowedOrigins.includes('*') || config.allowedOrigins.includes(origin)) return true;
  if (config.publicUrl && new URL(config.publicUrl).origin === origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
