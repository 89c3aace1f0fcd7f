// Creating a session: a slot (under a provisional id until the process names the
// session), a warm process from the pool when the session works in PROJECT_DIR
// (where the pool's processes run), else a cold start; then the session takes it.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { SessionMetadata } from '../../db/ports.js';
import { PlatformError } from '../../protocol/errors.js';
import type { SessionSource } from '../../protocol/messages.js';
import type { CliCatalog } from '../agent-policy/catalog.js';
import { applyToWarmProcess } from '../agent-policy/session-options.js';
import type { ClaudeProcess } from '../cli/claude-process.js';
import { BUILTIN_ADMIN } from '../jail/config-dirs.js';
import type { Workspaces } from '../workspace/workspaces.js';
import type { Capacity } from './capacity.js';
import type { SessionLifecycleEvents } from './lifecycle-events.js';
import type { WarmProcessSource } from './prewarm-pool.js';
import type { ProcessLauncher, ProcessStarter, SessionOptions } from './process-launcher.js';
import { Session, type SessionHost } from './session.js';
import type { SessionRegistry } from './session-registry.js';

/** What a create needs of the session life. */
export interface CreateContext {
  config: Config;
  log: Logger;
  host: SessionHost;
  registry: SessionRegistry;
  capacity: Capacity;
  /** Takes a slot (evicting an idle session when full, SESSION_EVICTION=idle). */
  reserve(id: string): void;
  catalog: CliCatalog;
  launcher: ProcessLauncher;
  starter: ProcessStarter;
  pool(): WarmProcessSource | null;
  workspaces?: Pick<Workspaces, 'forNewSession' | 'record'> | undefined;
  shuttingDown(): boolean;
  created(e: SessionLifecycleEvents['created'][0]): void;
  /** The new session's lease (core/replicas; nothing on one host). */
  claimNew?(sessionId: string): Promise<void> | undefined;
}

export async function startSession(
  c: CreateContext,
  ownerId: string,
  onCold: ((estimatedSeconds: number) => void) | undefined,
  opts: SessionOptions,
): Promise<{ session: Session; source: SessionSource }> {
  const createStart = performance.now();
  const cwd = c.workspaces?.forNewSession(ownerId) ?? c.config.projectDir;
  const provisional = randomUUID();
  // The slot is held under a provisional id until the process is up and names the session.
  c.reserve(provisional);
  let proc: ClaudeProcess | undefined;
  let source: SessionSource = 'pre-warmed';
  try {
    if (opts.model !== undefined) await c.catalog.checkModel(opts.model);
    // Warm processes are the built-in admin's (its config folder, PROJECT_DIR): other users start cold.
    if (cwd === c.config.projectDir && ownerId === BUILTIN_ADMIN) proc = c.pool()?.take();
    if (!proc) {
      source = 'cold';
      onCold?.(c.launcher.estimatedColdStartSeconds());
      const t0 = Date.now();
      proc = await c.starter.start({ sessionId: provisional, resume: false, cwd, options: opts, ownerId });
      c.launcher.recordStartTime(Date.now() - t0);
    }
    if (c.shuttingDown()) {
      await proc.stop();
      throw new PlatformError('shutting_down');
    }
  } catch (e) {
    c.capacity.release(provisional); // no process: no session, and its slot goes
    if (e instanceof PlatformError) throw e;
    c.log.error({ err: e }, 'session start failed');
    throw new PlatformError('internal_error', `Could not start a Claude process: ${(e as Error).message}`);
  }
  const id = proc.cliSessionId ?? provisional;
  c.capacity.rename(provisional, id);
  const leased = c.claimNew?.(id);
  if (leased) await leased;
  await c.workspaces?.record(id, cwd);
  const now = new Date().toISOString();
  const meta: SessionMetadata = {
    session_id: id,
    user_id: ownerId,
    status: 'creating',
    created_at: now,
    last_active_at: now,
    subprocess_pid: proc.pid,
    message_count: 0,
    total_cost_usd: 0,
    is_resumable: true,
    terminated_reason: null,
    title: null,
    model: opts.model ?? null,
    permission_mode: opts.permission_mode ?? c.config.permissionMode,
    working_dir: cwd,
  };
  const session = new Session(meta, c.host, 'creating');
  c.registry.add(session);
  session.processStarted(proc);
  if (source === 'pre-warmed') {
    try {
      await applyToWarmProcess(proc, opts, c.config.permissionMode);
    } catch (e) {
      c.log.warn({ err: e, session_id: id }, 'could not apply the session options to a warm process');
    }
  }
  c.log.info({ session_id: id, pid: proc.pid, source }, 'session created');
  c.created({ session_id: id, user_id: ownerId, source, seconds: (performance.now() - createStart) / 1000, cwd });
  return { session, source };
}
