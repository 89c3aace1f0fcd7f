// Accountability: the audit log's action names and entries, per-user limits and usage.
// Browser-safe (the Admin and Settings pages read the same shapes). Every part of the
// server records audit entries with these action names and no others.
import { z } from 'zod';
import { IsoTime, SessionId } from './messages.js';

/**
 * Every audit action, in one place. `detail` of each (a JSON object) carries:
 *   auth.sign_in / auth.sign_out      {method: 'oidc'|'proxy'|'token'|'key'}
 *   auth.sign_in_failed               {method, reason}  (actor: the user if known, else 'anonymous')
 *   token.created / token.revoked     {token_id, name}
 *   user.created / user.changed       {name?, role?, disabled?}  (target_user_id: the user)
 *   user.disabled                     {}                 (target_user_id: the user)
 *   session.created                   {source: 'pre-warmed'|'cold', cwd: the agent's working folder}
 *   session.destroyed                 {reason}  (actor 'system' when the server ended it)
 *   session.resumed                   {}
 *   session.forked                    {from_session_id, message_id?}  (session_id: the new fork)
 *   session.rewound                   {message_id, dry_run, outcome: 'restored'|'refused'|'failed', files (at most 20)}
 *   session.renamed                   {title}
 *   session.exported                  {format}
 *   session.archived / unarchived     {}
 *   session.deleted                   {attachments: files removed, stopped: a live process was stopped first}
 *   attachment.fetched                {attachment_id}
 *   permission.decided                {tool, input (short summary, secrets masked), decision, request_id?}
 *   limits.changed                    {max_sessions, monthly_budget_usd} (the new values; target_user_id)
 */
export const AUDIT_ACTIONS = [
  'auth.sign_in',
  'auth.sign_out',
  'auth.sign_in_failed',
  'token.created',
  'token.revoked',
  'user.created',
  'user.changed',
  'user.disabled',
  'session.created',
  'session.destroyed',
  'session.resumed',
  'session.forked',
  'session.rewound',
  'session.renamed',
  'session.exported',
  'session.archived',
  'session.unarchived',
  'session.deleted',
  'attachment.fetched',
  'permission.decided',
  'limits.changed',
] as const;
export const AuditAction = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof AuditAction>;

/**
 * How a tool call was decided: the user's answer (allow, deny, allow_always), a rule the
 * user granted earlier (by_rule), the server's PERMISSION_MODE (by_mode), no answer in time
 * (timeout), or the turn ended first (cancelled).
 */
export const PERMISSION_OUTCOMES = ['allow', 'deny', 'allow_always', 'by_rule', 'by_mode', 'timeout', 'cancelled'] as const;
export type PermissionOutcome = (typeof PERMISSION_OUTCOMES)[number];

/** The actor of what the server does by itself (idle timeout, duration limit, restart). */
export const SYSTEM_ACTOR = 'system';

export const AuditEntry = z.object({
  id: z.number().int().positive(),
  at: IsoTime,
  actor_user_id: z.string(),
  action: AuditAction,
  target_user_id: z.string().nullable(),
  session_id: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

const Limit = z.coerce.number().int().min(1).max(500);
export const AuditQuery = z
  .object({
    user_id: z.string().min(1).max(200).optional().describe('Entries where this user is the actor or the target'),
    action: AuditAction.optional(),
    session_id: SessionId.optional(),
    since: z.iso.datetime({ offset: true }).optional().describe('Entries at or after this time'),
    until: z.iso.datetime({ offset: true }).optional().describe('Entries before this time'),
    limit: Limit.optional().describe('Entries per page, 1-500 (default 100)'),
    cursor: z.string().max(200).optional().describe('next_cursor of the previous page'),
  })
  .strict();
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditListResponse = z.object({
  entries: z.array(AuditEntry).describe('Newest first'),
  next_cursor: z.string().nullable().describe('Pass as cursor for the next (older) page; null on the last page'),
});
export type AuditListResponse = z.infer<typeof AuditListResponse>;

// ---------------------------------------------------------------- limits and usage

/** Per-user limits; null means no limit. */
export const UserLimits = z
  .object({
    max_sessions: z.number().int().min(1).max(1000).nullable().describe('Live sessions (with a process, or starting) at once; null: none'),
    monthly_budget_usd: z.number().min(0).max(1_000_000).nullable().describe('Cost per calendar month (UTC) in USD; null: none'),
  })
  .strict();
export type UserLimits = z.infer<typeof UserLimits>;

export const UserLimitsResponse = UserLimits.extend({ user_id: z.string() });
export type UserLimitsResponse = z.infer<typeof UserLimitsResponse>;

export const UsageFigures = z.object({
  sessions: z.number().int().nonnegative().describe('Sessions created'),
  turns: z.number().int().nonnegative().describe('Turns ended (any outcome)'),
  cost_usd: z.number().nonnegative(),
});
export type UsageFigures = z.infer<typeof UsageFigures>;

export const UserUsage = z.object({
  user_id: z.string(),
  live_sessions: z.number().int().nonnegative().describe('Open sessions (not ended): what the session limit counts'),
  live_processes: z.number().int().nonnegative().describe('Open sessions with an agent process running (or starting)'),
  sleeping_sessions: z
    .number()
    .int()
    .nonnegative()
    .describe('Open sessions without a process (dormant or idle); the next message resumes them'),
  limits: UserLimits,
  month: UsageFigures.describe('This calendar month (UTC)'),
  total: UsageFigures.describe('Since the first session'),
  by_day: z
    .array(UsageFigures.extend({ day: z.string().describe('YYYY-MM-DD (UTC)') }))
    .describe('Days of this month with activity, oldest first'),
});
export type UserUsage = z.infer<typeof UserUsage>;

export const UsageQuery = z
  .object({ user_id: z.string().min(1).max(200).optional().describe('One user (admins; members always get their own)') })
  .strict();
export type UsageQuery = z.infer<typeof UsageQuery>;

export const UsageResponse = z.object({
  month: z.string().describe('YYYY-MM (UTC)'),
  resets_on: z.string().describe('YYYY-MM-DD: the first day of the next month, when monthly budgets start again'),
  users: z.array(UserUsage),
});
export type UsageResponse = z.infer<typeof UsageResponse>;
