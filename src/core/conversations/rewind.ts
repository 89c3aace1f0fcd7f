// Rewinding files: the CLI restores (or with dryRun previews) the files the agent
// changed after a user message, from its file checkpoints (FILE_CHECKPOINTING).
import { PlatformError } from '../../protocol/errors.js';
import type { RewindFilesResponse } from '../../protocol/messages.js';
import { checkRewindScope, type RewindScope } from '../agent-policy/rewind-guard.js';
import type { Session } from '../sessions/session.js';

export async function rewindFiles(
  s: Session,
  at: { messageId: string; dryRun: boolean },
  d: { enabled: boolean; ensureProcess(s: Session): Promise<void>; scope: RewindScope },
): Promise<RewindFilesResponse> {
  if (!d.enabled) throw new PlatformError('rewind_unavailable', 'File checkpointing is off on this server (FILE_CHECKPOINTING=off)');
  if (s.turn) throw new PlatformError('query_in_progress');
  await d.ensureProcess(s);
  const proc = s.proc;
  if (!proc) throw new PlatformError('session_unavailable');
  let r: Awaited<ReturnType<typeof proc.rewindFiles>>;
  try {
    // The change set first: a file outside the workspace refuses the whole rewind (rewind-guard.ts).
    r = await proc.rewindFiles(at.messageId, true);
    if (r.canRewind) checkRewindScope(r.filesChanged ?? [], d.scope);
    if (r.canRewind && !at.dryRun) r = await proc.rewindFiles(at.messageId, false);
  } catch (e) {
    if (e instanceof PlatformError) throw e;
    throw new PlatformError('rewind_unavailable', `Files cannot be rewound to this message: ${(e as Error).message}`);
  }
  return {
    can_rewind: r.canRewind,
    ...(r.error ? { error: r.error } : {}),
    files_changed: r.filesChanged ?? [],
    insertions: r.insertions ?? 0,
    deletions: r.deletions ?? 0,
    dry_run: at.dryRun,
  };
}
