// What clients see of a session row, and the title a first message gives it.
import type { SessionMetadata } from '../../db/ports.js';
import type { SessionSummary } from '../../protocol/messages.js';
import { titleFromMessage } from '../conversations/titles.js';

/** The summary clients see of a stored (or live) session row. */
export function summaryOf(m: SessionMetadata): SessionSummary {
  return {
    session_id: m.session_id,
    user_id: m.user_id,
    status: m.status,
    created_at: m.created_at,
    last_active_at: m.last_active_at,
    message_count: m.message_count,
    total_cost_usd: Math.round(m.total_cost_usd * 1e6) / 1e6,
    is_resumable: m.is_resumable,
    title: m.title,
    ...(m.model ? { model: m.model } : {}),
    ...(m.permission_mode ? { permission_mode: m.permission_mode } : {}),
    ...(m.working_dir ? { working_dir: m.working_dir } : {}),
  };
}

/** A title from a first message (conversations/titles.ts); null when blank. */
export const defaultTitle = titleFromMessage;

/**
 * The row of a session taken from another replica (issue 21): the stored one, which that replica kept
 * up to date, with the turn this replica has begun counted and its first message's title kept.
 */
export function takenOver(stored: SessionMetadata, ours: SessionMetadata, turnInFlight: boolean): SessionMetadata {
  return { ...stored, message_count: stored.message_count + (turnInFlight ? 1 : 0), title: stored.title ?? ours.title };
}
