// WebSocket upgrade checks that come before authentication (Host against DNS
// rebinding, open sockets per address), and the heartbeat that ends dead peers.
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Config } from '../config/config.js';
import { sendError } from './http-errors.js';

/**
 * DNS rebinding needs a name that the attacker's DNS points at us, so an IP literal
 * is always fine; a name must be loopback (`localhost`, `*.localhost`: browsers
 * resolve those themselves), the bind host, or listed in ALLOWED_HOSTS (`*`: any).
 */
export function hostAllowed(host: string | undefined, allowed: string[], bindHost: string): boolean {
  if (!host) return false;
  if (allowed.includes('*')) return true;
  let name: string;
  try {
    name = new URL(`http://${host}`).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return false;
  }
  if (net.isIP(name.replace(/^\[(.*)\]$/, '$1'))) return true;
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  return name === bindHost.toLowerCase() || allowed.includes(name);
}

export function registerWsGuard(app: FastifyInstance, config: Config): void {
  const open = new Map<string, number>();
  app.addHook('onRequest', async (req, reply) => {
    if (!req.ws) return;
    if (!hostAllowed(req.headers.host, config.allowedHosts, config.host)) {
      req.log.warn({ ip: req.ip, host: req.headers.host }, 'WebSocket upgrade refused: Host not allowed');
      return sendError(reply, 'host_not_allowed');
    }
    const ip = req.ip;
    const n = open.get(ip) ?? 0;
    if (n >= config.maxSocketsPerAddress) {
      req.log.warn({ ip, open: n }, 'WebSocket upgrade refused: too many open sockets from this address');
      reply.header('retry-after', '5');
      return sendError(reply, 'rate_limited', `Too many open connections from this address (limit ${config.maxSocketsPerAddress})`);
    }
    // Counted from the upgrade request until its TCP socket closes, so parallel upgrades count too.
    open.set(ip, n + 1);
    req.raw.socket.once('close', () => {
      const left = (open.get(ip) ?? 1) - 1;
      if (left <= 0) open.delete(ip);
      else open.set(ip, left);
    });
  });
}

/** Pings every socket each interval; one that has not answered the previous ping is ended. */
export function startHeartbeat(wss: WebSocketServer, intervalMs: number): () => void {
  const alive = new WeakMap<WebSocket, boolean>();
  wss.on('connection', (ws: WebSocket) => {
    alive.set(ws, true);
    ws.on('pong', () => alive.set(ws, true));
  });
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
