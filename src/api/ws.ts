// WebSocket endpoint /ws/v1/chat: auth, validation, and a call to the chat service per message.
// Input never crashes the server: every failure becomes an `error` frame.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData } from 'ws';
import type { Config } from '../config/config.js';
import type { ChatService } from '../core/chat-service.js';
import { wsMaxFrameBytes } from '../protocol/attachments.js';
import { ERRORS, type ErrorCode, PlatformError, VALIDATION_MESSAGES, wsCode } from '../protocol/errors.js';
import { CLIENT_MESSAGE_TYPES, ClientMessage, SessionId } from '../protocol/messages.js';
import type { Authentication } from './authenticate.js';
import { originIsOurs } from './origin.js';
import type { Connection, WsHub } from './ws-hub.js';

/** Milliseconds until an ISO time, within what a timer can wait (about 24 days). */
const msUntil = (iso: string) => Math.min(Math.max(0, Date.parse(iso) - Date.now()), 2 ** 31 - 1);

export function registerWs(app: FastifyInstance, config: Config, chat: ChatService, hub: WsHub, auth: Authentication): void {
  const MAX_FRAME_BYTES = wsMaxFrameBytes(config.attachments.maxMessageBytes / (1024 * 1024));
  // Authenticated once, at the upgrade request (a failure is counted in http-security), so
  // the handler stays synchronous: its message listener is attached before any frame arrives.
  const authenticate = async (req: FastifyRequest) => {
    await auth.principalOf(req);
  };
  app.get('/ws/v1/chat', { websocket: true, onRequest: authenticate }, (socket, req) => {
    // Browsers always send Origin on a WebSocket; a client without one is no page another site could run.
    if (req.headers.origin !== undefined && !originIsOurs(req, config)) {
      socket.close(1008, 'Origin not allowed');
      return;
    }
    const principal = req.principal;
    if (!principal) {
      socket.close(1008, ERRORS.unauthorized.message);
      return;
    }
    if (chat.isShuttingDown) {
      socket.close(1001, 'Server shutting down');
      return;
    }
    const conn = hub.add(socket, principal);
    // A socket lives no longer than the browser sign-in it was opened with.
    const expiry = principal.expires_at
      ? setTimeout(() => socket.close(1008, 'Sign-in expired'), msUntil(principal.expires_at))
      : undefined;
    expiry?.unref();
    socket.on('close', () => {
      clearTimeout(expiry);
      hub.remove(conn);
    });
    socket.on('error', (e) => req.log.debug({ err: e }, 'socket error'));
    // The list goes first; messages that arrive meanwhile are handled after it, in their order.
    const listed = chat.list(principal).then(
      (sessions) => conn.send({ type: 'session_list', sessions }),
      (e: unknown) => req.log.error({ err: e }, 'could not list the sessions of a new socket'),
    );
    socket.on('message', (data: RawData, isBinary: boolean) => {
      listed
        .then(() => handle(conn, data, isBinary))
        .catch((e: unknown) => {
          req.log.error({ err: e }, 'ws handler failed');
          sendError(conn, 'internal_error');
        });
    });
  });

  function sendError(conn: Connection, code: ErrorCode, message?: string, session_id?: string): void {
    conn.send({
      type: 'error',
      code: wsCode(code),
      message: message ?? ERRORS[code].message,
      ...(session_id ? { session_id } : {}),
    });
  }

  function sendPlatformError(conn: Connection, e: unknown, session_id?: string): void {
    if (e instanceof PlatformError) sendError(conn, e.code, e.message, session_id);
    else {
      app.log.error({ err: e }, 'unexpected error');
      sendError(conn, 'internal_error', undefined, session_id);
    }
  }

  async function handle(conn: Connection, data: RawData, isBinary: boolean): Promise<void> {
    const raw = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary || raw.length > MAX_FRAME_BYTES) {
      sendError(conn, 'invalid_message', isBinary ? 'Binary frames are not accepted' : 'Frame too large');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      sendError(conn, 'invalid_json');
      return;
    }
    const parsed = ClientMessage.safeParse(json);
    if (!parsed.success) {
      const type = (json as { type?: unknown } | null)?.type;
      const sid = (json as { session_id?: unknown } | null)?.session_id;
      const known = typeof type === 'string' && (CLIENT_MESSAGE_TYPES as string[]).includes(type);
      const issue = parsed.error.issues[0];
      const own = (Object.values(VALIDATION_MESSAGES) as string[]).includes(issue?.message ?? '');
      const message =
        typeof json !== 'object' || json === null || Array.isArray(json)
          ? 'A message must be a JSON object'
          : !known
            ? `Unknown message type: ${typeof type === 'string' ? type.slice(0, 64) : describeNonString(type)}`
            : own
              ? (issue?.message as string)
              : `Invalid field ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`;
      sendError(conn, 'invalid_message', message, SessionId.safeParse(sid).success ? (sid as string) : undefined);
      return;
    }
    const msg = parsed.data;
    if (msg.seq !== undefined) {
      if (msg.seq <= conn.lastClientSeq) {
        sendError(conn, 'invalid_message', VALIDATION_MESSAGES.invalidSeq, 'session_id' in msg ? msg.session_id : undefined);
        return;
      }
      conn.lastClientSeq = msg.seq;
    }

    const sid = 'session_id' in msg ? msg.session_id : undefined;
    const p = conn.principal;
    try {
      switch (msg.type) {
        case 'create_session': {
          const { session_id, source } = await chat.create(p, {
            watcher: conn,
            onCold: (estimated_seconds) => conn.send({ type: 'session_creating', estimated_seconds }),
            options: { model: msg.model, permission_mode: msg.permission_mode },
          });
          conn.send({ type: 'session_ready', session_id, status: 'ready', source });
          return;
        }
        case 'user_message':
          // Resolves when the turn ends; its frames stream to the session's watcher meanwhile.
          await chat.send(p, {
            watcher: conn,
            sessionId: msg.session_id,
            text: msg.text,
            attachments: msg.attachments,
            accepted: () =>
              conn.send({ type: 'message_received', session_id: msg.session_id, ...(msg.seq !== undefined ? { seq: msg.seq } : {}) }),
          });
          return;
        case 'interrupt':
          await chat.interrupt(p, msg.session_id);
          return;
        case 'switch_session':
          await chat.switchTo(p, { watcher: conn, sessionId: msg.session_id, after: msg.after });
          return;
        case 'destroy_session':
          await chat.destroy(p, msg.session_id, { watcher: conn });
          return;
        case 'load_history':
          await chat.loadHistory(p, conn, msg.session_id, msg.before);
          return;
        case 'permission_response':
          if (
            !chat.answerPermission(p, conn, msg.request_id, msg.decision, {
              ...(msg.answers ? { answers: msg.answers } : {}),
              ...(msg.message !== undefined ? { message: msg.message } : {}),
            })
          )
            sendError(conn, 'invalid_message', 'Unknown or expired permission request');
          return;
        case 'set_session_options':
          // The owner's clients hear the change as session_updated (the summary carries model and permission_mode).
          await chat.setOptions(p, msg.session_id, { model: msg.model, permission_mode: msg.permission_mode });
          return;
      }
    } catch (e) {
      sendPlatformError(conn, e, sid);
    }
  }
}

/** Names a non-string value without converting it: String() of client JSON can throw (`{"toString":1}`, deep arrays). */
function describeNonString(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  return v !== null && typeof v === 'object' ? 'object' : String(v);
}
