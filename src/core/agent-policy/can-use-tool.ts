// The CLI asks before each tool call (`canUseTool`): the session's permission mode
// decides, or the user does through the session's permission gate. A question or
// a plan always waits for the user: "allow everything" cannot answer it.
import type { CanUseTool } from '@anthropic-ai/claude-agent-sdk';
import type { PermissionMode } from '../../config/config.js';
import type { Session } from '../sessions/session.js';
import type { PermissionDecided } from './permissions.js';
import { QUESTION_TOOLS } from './permissions.js';
import { planFromToolCalls } from './plan-file.js';

export interface ToolPolicyDeps {
  /** The session by id (it may be gone). */
  find(id: string): Session | undefined;
  /** The server's PERMISSION_MODE (a session without its own mode follows it). */
  defaultMode: PermissionMode;
  /** The CLI config folder of a user (where their plan files are). */
  configDirOf(userId: string): string;
  /** A call allowed by the mode alone (no one was asked): recorded like any other decision. */
  decidedByMode(s: Session, d: PermissionDecided): void;
}

export function canUseToolFor(d: ToolPolicyDeps, sessionId: string): CanUseTool {
  return async (tool, input, { signal, suggestions, suppressAlwaysAllowRule }) => {
    const s = d.find(sessionId);
    const mode = s?.options.permissionMode ?? d.defaultMode;
    const asks = QUESTION_TOOLS.has(tool);
    if (mode === 'bypassPermissions' && !asks) {
      if (s) d.decidedByMode(s, { tool, input, outcome: 'by_mode' });
      return { behavior: 'allow', updatedInput: input };
    }
    if (!s) return { behavior: 'deny', message: 'Session is gone' };
    const shown = tool === 'ExitPlanMode' ? await withPlan(d.configDirOf(s.ownerId), s, input) : input;
    return s.permissions.request(tool, input, signal, shown, { suggestions, suppressAlwaysAllowRule });
  };
}

/**
 * ExitPlanMode's input, with the plan to show: the CLI strips the model's own `plan` field and
 * keeps the plan in the file the agent wrote this turn; without one, the turn's text is the plan.
 */
async function withPlan(configDir: string, s: Session, input: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (typeof input.plan === 'string' && input.plan.trim()) return input;
  const turn = s.turn;
  const calls = (turn ? (s.eventsAfter(turn.startEventId) ?? []) : []).flatMap((ev) =>
    ev.type === 'tool_use' ? [{ tool: ev.tool, input: ev.input }] : [],
  );
  const fromFile = await planFromToolCalls(configDir, calls);
  return { ...input, plan: fromFile ?? turn?.translator.text ?? '' };
}
