// WebSocket endpoint /ws/v1/chat (spec §3.7, §4.2): auth, validation, routing.
// Input never crashes the server: every failure becomes an `error` frame.
import type { FastifyInstance } from 'fastify';
import type { RawData } from 'ws';
import type { Config } from '../config/config.js';
import type { SessionManager } from '../core/session-manager.js';
import { ERRORS, type ErrorCode, PlatformError, VALIDATION_MESSAGES } from '../protocol/errors.js';
import { CLIENT_MESSAGE_TYPES, ClientMessage, SessionId } from '../protocol/messages.js';
import { keyMatches, originAllowed } from './auth.js';
import type { Connection, WsHub } from './ws-hub.js';

const MAX_FRAME_BYTES = 1024 * 1024;

export function registerWs(app: FastifyInstance, config: Config, manager: SessionManager, hub: WsHub): void {
  app.get('/ws/v1/chat', { websocket: true }, (socket, req) => {
    const q = req.query as Record<string, unknown>;
    const key = req.headers['x-api-key'] ?? q.api_key;
    if (!originAllowed(req.headers.origin, req.headers.host, config.allowedOrigins)) {
      socket.close(1008, 'Origin not allowed');
      return;
    }
    if (!keyMatches(key, config.apiKey)) {
      socket.close(1008, ERRORS.unauthorized.message);
      return;
    }
    if (manager.isShuttingDown) {
      socket.close(1001, 'Server shutting down');
      return;
    }
    const conn = hub.add(socket);
    socket.on('close', () => hub.remove(conn));
    socket.on('error', (e) => req.log.debug({ err: e }, 'socket error'));
    conn.send({ type: 'session_list', sessions: manager.list() });
    socket.on('message', (data: RawData, isBinary: boolean) => {
      handle(conn, data, isBinary).catch((e: unknown) => {
        req.log.error({ err: e }, 'ws handler failed');
        sendError(conn, 'internal_error');
      });
    });
  });

  function sendError(conn: Connection, code: ErrorCode, message?: string, session_id?: string): void {
    const wsCode = code === 'not_found' ? 'session_not_found' : code;
    conn.send({
      type: 'error',
      code: wsCode as Exclude<ErrorCode, 'not_found' | 'unauthorized'>,
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
            ? `Unknown message type: ${typeof type === 'string' ? type.slice(0, 64) : String(type)}`
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

    switch (msg.type) {
      case 'create_session': {
        try {
          const { session, source } = await manager.createSession((estimated_seconds) =>
            conn.send({ type: 'session_creating', estimated_seconds }),
          );
          hub.own(session.id, conn, false);
          conn.send({ type: 'session_ready', session_id: session.id, status: 'ready', source });
        } catch (e) {
          sendPlatformError(conn, e);
        }
        return;
      }
      case 'user_message': {
        const s = manager.find(msg.session_id);
        if (!s) return sendError(conn, 'session_not_found', undefined, msg.session_id);
        try {
          manager.checkCanSend(s);
        } catch (e) {
          return sendPlatformError(conn, e, s.id);
        }
        hub.own(s.id, conn, true);
        conn.send({ type: 'message_received', session_id: s.id, ...(msg.seq !== undefined ? { seq: msg.seq } : {}) });
        // Frames of the turn stream through the hub; this resolves when the turn ends.
        manager.sendMessage(s.id, msg.text).catch((e: unknown) => {
          if (e instanceof PlatformError && e.code === 'query_in_progress') sendPlatformError(conn, e, s.id);
          // other failures already reached the client as stream_error
        });
        return;
      }
      case 'interrupt': {
        const s = manager.find(msg.session_id);
        if (!s) return sendError(conn, 'session_not_found', undefined, msg.session_id);
        await manager.interrupt(s.id);
        return;
      }
      case 'switch_session': {
        const s = manager.find(msg.session_id);
        if (!s) return sendError(conn, 'session_not_found', undefined, msg.session_id);
        hub.own(s.id, conn, true);
        const missed = msg.after !== undefined ? s.eventsAfter(msg.after) : undefined;
        if (missed) {
          for (const ev of missed) conn.send(ev);
        } else {
          conn.holding.add(s.id);
          try {
            const { messages, lastEventId } = await manager.history(s.id);
            conn.send({
              type: 'session_history',
              session_id: s.id,
              session: s.summary(),
              messages,
              is_query_active: s.isQueryActive,
              last_event_id: lastEventId,
            });
            for (const ev of s.eventsAfter(lastEventId) ?? []) conn.send(ev);
          } finally {
            conn.holding.delete(s.id);
          }
        }
        if (!s.hasLiveProcess && s.meta.is_resumable && !s.turn) {
          try {
            await manager.resumeSession(s.id);
          } catch (e) {
            sendPlatformError(conn, e, s.id);
          }
        }
        return;
      }
      case 'destroy_session': {
        const s = manager.find(msg.session_id);
        if (!s) return sendError(conn, 'session_not_found', undefined, msg.session_id);
        const owner = hub.ownerOf(s.id);
        if (!owner) hub.own(s.id, conn, false);
        const before = s.lastEventId;
        await manager.destroy(s.id, 'user_requested');
        if (owner && owner !== conn) for (const ev of s.eventsAfter(before) ?? []) conn.send(ev);
        return;
      }
      case 'permission_response': {
        if (!manager.answerPermission(msg.request_id, msg.decision))
          sendError(conn, 'invalid_message', 'Unknown or expired permission request');
        return;
      }
    }
  }
}
