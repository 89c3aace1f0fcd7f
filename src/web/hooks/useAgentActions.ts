// The agent controls of the page: the catalog (models, slash commands), the session's
// options (set_session_options) and the message actions (fork, rewind files) over REST.
import { useMemo } from 'react';
import { type ClientMessage, CreateSessionResponse, RewindFilesResponse, type SessionPermissionMode } from '../../protocol/messages';
import type { MessageActionHandlers } from '../components/MessageActions';
import { api } from '../rest-client';
import { type AgentCatalog, useAgentCatalog } from './useAgentCatalog';

interface Deps {
  connected: boolean;
  sessionId: string | null;
  send: (m: Extract<ClientMessage, { type: 'set_session_options' }>) => boolean;
  switchTo: (id: string) => void;
}

export interface AgentActions {
  catalog: AgentCatalog;
  setOptions(opts: { model?: string; permission_mode?: SessionPermissionMode }): void;
  messageActions: MessageActionHandlers | null;
}

export function useAgentActions({ connected, sessionId, send, switchTo }: Deps): AgentActions {
  const catalog = useAgentCatalog(connected);
  const messageActions = useMemo<MessageActionHandlers | null>(
    () =>
      sessionId
        ? {
            async fork(messageId) {
              const r = await api(CreateSessionResponse, 'POST', `/api/v1/sessions/${sessionId}/fork`, { message_id: messageId });
              switchTo(r.session_id);
            },
            rewind: (messageId, dryRun) =>
              api(RewindFilesResponse, 'POST', `/api/v1/sessions/${sessionId}/rewind`, { message_id: messageId, dry_run: dryRun }),
          }
        : null,
    [sessionId, switchTo],
  );
  return {
    catalog,
    setOptions: (opts) => {
      if (sessionId) send({ type: 'set_session_options', session_id: sessionId, ...opts });
    },
    messageActions,
  };
}
