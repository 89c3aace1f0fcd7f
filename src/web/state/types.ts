// The shape of the UI state. Each part has its own reducer (connection.ts, sessions.ts,
// transcripts.ts, banners.ts); reducer.ts combines them.
import type { PermissionDecision, ServerFrame, SessionSummary } from '../../protocol/messages';
import type { AttachmentView } from '../attachments';

export type { PermissionDecision };

export type ConnStatus = 'idle' | 'connecting' | 'open' | 'reconnecting' | 'auth_failed';

type ToolResultFrame = Extract<ServerFrame, { type: 'tool_result' }>;
type StreamErrorFrame = Extract<ServerFrame, { type: 'stream_error' }>;

export interface ToolItem {
  kind: 'tool';
  id: string;
  tool: string;
  input: Record<string, unknown>;
  status: 'executing' | ToolResultFrame['status'];
  result: ToolResultFrame['result'] | null;
  durationMs: number | null;
}

export interface PermissionItem {
  kind: 'permission';
  id: string;
  requestId: string;
  tool: string;
  input: Record<string, unknown>;
  timeoutSeconds: number;
  receivedAt: number;
  /** What "Always allow" would allow, as the server words it (null: the whole tool). */
  alwaysAllowScope: string | null;
  /** Why the call is risky or has no Always allow, as the server words it. */
  warning?: string;
  answer: PermissionDecision | 'expired' | null;
}

export type Item =
  | { kind: 'user'; id: string; text: string; pending?: boolean; attachments?: AttachmentView[]; messageId?: string }
  | { kind: 'assistant'; id: string; text: string; streaming: boolean }
  | ToolItem
  | PermissionItem
  | { kind: 'complete'; id: string; costUsd: number; turns: number; contextTokens?: number; contextWindow?: number }
  | { kind: 'notice'; id: string; tone: 'info' | 'error'; text: string };

export interface Transcript {
  items: Item[];
  /** Highest event_id applied to this transcript: a reconnect asks only for later ones. */
  lastEventId: number;
  streaming: boolean;
  loaded: boolean;
  lastUserText: string | null;
  retrying: { attempt: number; max: number } | null;
  /** Earlier messages exist on the server (load_history with `firstPosition`). */
  hasMore: boolean;
  /** Position of the first loaded message in the stored conversation. */
  firstPosition: number;
  /** A load_history is on its way. */
  loadingEarlier: boolean;
}

export type BannerKind =
  | 'session_warning'
  | 'session_restarting'
  | 'session_terminated'
  | 'session_opened_elsewhere'
  | 'server_shutting_down'
  | 'stream_error'
  | 'connection'
  | 'error';

export interface Banner {
  key: string;
  kind: BannerKind;
  sessionId: string | null;
  message: string;
  /** session_warning: when the session ends (epoch ms). */
  deadline?: number;
  /** session_terminated: where to resume. */
  resumeUrl?: string | null;
  /** error: the error code (some have their own title). */
  code?: string;
  /** stream_error: the suggested action. */
  action?: StreamErrorFrame['suggested_action'];
}

export interface ConnectionState {
  status: ConnStatus;
  error: string | null;
  /** When the next reconnect attempt starts (epoch ms). */
  reconnectAt: number | null;
  attempt: number;
}

export interface SessionsState {
  /** Most recently active first. */
  list: SessionSummary[];
  currentId: string | null;
  creating: { estimatedSeconds: number; startedAt: number } | null;
  /** Archived or deleted here since the last session_list: later updates of them do not bring them back. */
  hidden?: string[];
}

export interface State {
  connection: ConnectionState;
  sessions: SessionsState;
  transcripts: Record<string, Transcript>;
  banners: Banner[];
}

/** AskUserQuestion's answers, or what the agent reads when denied. */
export interface AnswerExtras {
  answers?: Record<string, string>;
  message?: string;
}

/** How a permission card answers (the dock, the plan and question cards alike). */
export type AnswerPermission = (item: PermissionItem, decision: PermissionDecision, extras?: AnswerExtras) => void;
