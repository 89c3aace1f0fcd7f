// A session's model and permission mode, and the answers that change them: which
// modes the server allows, the options given to a warm process, changes between
// turns, and approving a plan (ExitPlanMode leaves plan mode).
import type { PermissionMode } from '../../config/config.js';
import { PlatformError } from '../../protocol/errors.js';
import type { PermissionDecision, QuestionAnswers, SessionPermissionMode, SessionSummary } from '../../protocol/messages.js';
import type { ClaudeProcess } from '../cli/claude-process.js';
import { cliPermissionMode } from '../cli/cli-options.js';
import type { SessionOptions } from '../sessions/process-launcher.js';
import type { Session } from '../sessions/session.js';

/** bypassPermissions only where the server's PERMISSION_MODE is bypassPermissions. */
export function checkMode(mode: SessionPermissionMode | undefined, server: PermissionMode): void {
  if (mode === 'bypassPermissions' && server !== 'bypassPermissions')
    throw new PlatformError('mode_not_allowed', undefined, { mode, server });
}

/** Pool processes start with the server's defaults: a new session's own choices before its first message. */
export async function applyToWarmProcess(proc: ClaudeProcess, opts: SessionOptions, server: PermissionMode): Promise<void> {
  if (opts.model !== undefined) await proc.setModel(opts.model);
  if (opts.permission_mode !== undefined && cliPermissionMode(opts.permission_mode) !== cliPermissionMode(server))
    await proc.setPermissionMode(cliPermissionMode(opts.permission_mode));
}

/**
 * Changes a session's model and/or permission mode between turns (refused during one): the
 * live process gets the SDK's setters; a session without one gets them at its next start.
 */
export async function changeOptions(
  s: Session,
  opts: SessionOptions,
  d: { server: PermissionMode; checkModel(model: string): Promise<void> },
): Promise<SessionSummary> {
  if (s.turn) throw new PlatformError('query_in_progress');
  if (s.state === 'terminated' && !s.isResumable) throw new PlatformError('session_unavailable');
  checkMode(opts.permission_mode, d.server);
  if (opts.model !== undefined) await d.checkModel(opts.model);
  const proc = s.hasLiveProcess ? s.proc : null;
  if (proc) {
    if (opts.model !== undefined) await proc.setModel(opts.model);
    if (opts.permission_mode !== undefined) await proc.setPermissionMode(cliPermissionMode(opts.permission_mode));
  }
  s.setOptions({
    ...(opts.model !== undefined ? { model: opts.model } : {}),
    ...(opts.permission_mode !== undefined ? { permissionMode: opts.permission_mode } : {}),
  });
  return s.summary();
}

/**
 * Answers a pending request of the session. AskUserQuestion gets its answers; approving ExitPlanMode
 * leaves plan mode for the server's default mode (the session's stored mode follows); a denial carries
 * the user's message (the gate words it).
 */
export function answerRequest(
  s: Session,
  requestId: string,
  decision: PermissionDecision,
  extras: { answers?: QuestionAnswers; message?: string },
  server: PermissionMode,
): boolean {
  const tool = s.permissions.toolOf(requestId);
  if (tool === 'ExitPlanMode' && decision !== 'deny') {
    const next = server === 'plan' ? 'default' : server;
    const ok = s.permissions.answer(requestId, decision, {
      updatedPermissions: [{ type: 'setMode', mode: cliPermissionMode(next), destination: 'session' }],
    });
    if (ok) s.setOptions({ permissionMode: next });
    return ok;
  }
  const message = extras.message; // the gate words a denial (protocol/decisions.ts)
  return s.permissions.answer(requestId, decision, {
    ...(extras.answers ? { answers: extras.answers } : {}),
    ...(message ? { message } : {}),
  });
}
