// The server's logger: JSON lines (one object per line, for log shippers), or pino-pretty's
// readable lines when stdout is a terminal. Request logs carry request_id (taken from a sane
// X-Request-Id, so a proxy's id follows the request); session logs carry session_id.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import pino, { type Logger } from 'pino';

export function createLogger(level: string, pretty = Boolean(process.stdout.isTTY)): Logger {
  return pino({
    level,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } } : {}),
  });
}

const SANE_ID = /^[\w.:-]{1,128}$/;

/** Fastify's genReqId: the caller's X-Request-Id when it is a plain token, else a new UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
}
