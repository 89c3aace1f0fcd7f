// Fixtures of the repository contract (test/helpers/repository-contract.ts): the engine under test,
// rows with defaults, times from one fixed instant, a stored conversation.
import { randomUUID } from 'node:crypto';
import type { Repositories, SessionMetadata, TurnRecord, UserRow, WebSessionRow } from '../../src/db/ports.js';
import type { HistoryMessage } from '../../src/protocol/messages.js';

export interface Engine {
  name: string;
  /** A fresh, empty, migrated database (the built-in admin `default` exists). */
  open(): Promise<Repositories>;
  /** Runs one SQL statement as any client of the database could (what the engine itself refuses). */
  exec(r: Repositories, sql: string): Promise<void>;
  /** Why this engine cannot run here (its cases are skipped), or undefined. */
  skip?: string | undefined;
}

const T0 = Date.parse('2026-03-01T10:00:00.000Z');
/** ISO time `min` minutes after T0. */
export const at = (min: number) => new Date(T0 + min * 60_000).toISOString();
export const sid = () => randomUUID();

export function meta(over: Partial<SessionMetadata> & { session_id: string }): SessionMetadata {
  return {
    user_id: 'default',
    status: 'idle',
    created_at: at(0),
    last_active_at: at(0),
    subprocess_pid: null,
    message_count: 0,
    total_cost_usd: 0,
    is_resumable: true,
    terminated_reason: null,
    title: null,
    model: null,
    permission_mode: null,
    ...over,
  };
}

export const user = (text: string, min = 0): HistoryMessage => ({ type: 'user', text, timestamp: at(min) });
export const assistant = (text: string, min = 0): HistoryMessage => ({ type: 'assistant', text, timestamp: at(min) });
export const toolResult = (text: string): HistoryMessage => ({
  type: 'tool_result',
  tool_use_id: 't1',
  result: { output: text },
  status: 'success',
  timestamp: at(0),
});
export const turn = (session_id: string, startMin: number, cost = 0.5, over: Partial<TurnRecord> = {}): TurnRecord => ({
  session_id,
  started_at: at(startMin),
  ended_at: at(startMin + 1),
  outcome: 'complete',
  cost_usd: cost,
  turn_count: 1,
  ...over,
});
export const person = (user_id: string, over: Partial<UserRow> = {}): UserRow => ({
  user_id,
  name: user_id,
  role: 'member',
  oidc_subject: null,
  disabled: false,
  created_at: at(0),
  updated_at: at(0),
  ...over,
});
export const signIn = (token_hash: string, over: Partial<WebSessionRow> = {}): WebSessionRow => ({
  token_hash,
  id: randomUUID().replaceAll('-', '').slice(0, 24),
  user_id: 'alice',
  via: 'oidc',
  credential: null,
  user_agent: null,
  created_at: at(0),
  last_used_at: null,
  expires_at: at(60),
  ...over,
});

/** Stores a session with these messages (and an optional title); returns its id. */
export async function conversation(r: Repositories, messages: HistoryMessage[], over: Partial<SessionMetadata> = {}): Promise<string> {
  const id = sid();
  await r.sessions.save(meta({ session_id: id, ...over }));
  await r.history.replaceFrom(id, 0, messages, { bytes: 1, format: 1, count: messages.length });
  return id;
}

export const sorted = (xs: Iterable<string>) => [...xs].sort();

/** Defines one case: it runs on a fresh database of the engine, closed afterwards. */
export type Case = (name: string, fn: (r: Repositories) => Promise<void>) => void;
