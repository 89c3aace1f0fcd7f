// The session manager's parts, wired once: capacity, the ordered writes, the conversations, the host
// sessions call back into, the registry and list, the launcher, the CLI catalog, resumes and what a
// create needs. Kept apart so session-manager.ts holds the session life only.
import { randomUUID } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { HistoryRepository, SessionRepository } from '../../db/ports.js';
import type { Metrics } from '../accounting/metrics.js';
import { canUseToolFor } from '../agent-policy/can-use-tool.js';
import { CliCatalog } from '../agent-policy/catalog.js';
import type { ExtensionOptions } from '../cli/cli-options.js';
import type { AttachmentStore } from '../conversations/attachment-store.js';
import { Conversations } from '../conversations/conversations.js';
import { BUILTIN_ADMIN, configDirOf } from '../jail/config-dirs.js';
import type { ReplicaHooks } from '../replicas/replicas.js';
import type { TranscriptMirror } from '../transcripts/transcript-mirror.js';
import type { Workspaces } from '../workspace/workspaces.js';
import { Capacity } from './capacity.js';
import type { CreateContext } from './create-session.js';
import type { SessionLifecycleEvents } from './lifecycle-events.js';
import { OrderedWrites } from './ordered-writes.js';
import type { WarmProcessSource } from './prewarm-pool.js';
import { ProcessLauncher, type ProcessStarter } from './process-launcher.js';
import { Resumes } from './resume-session.js';
import { Session, type SessionHost } from './session.js';
import { sessionHost } from './session-host.js';
import { SessionList } from './session-list.js';
import { SessionRegistry } from './session-registry.js';
import { stateOnLoad } from './session-state.js';

export interface SessionManagerDeps {
  config: Config;
  repo: SessionRepository;
  /** The stored conversations (pages, search, export). */
  history: HistoryRepository;
  log: Logger;
  modelBaseUrl: string | undefined;
  extensions: () => ExtensionOptions;
  /** Maps what the user typed to what the CLI gets (project commands: `/x` -> `/project:x`). */
  rewriteText?: (text: string) => string;
  metrics?: Pick<Metrics, 'turns' | 'userTurn'>;
  /** Per-user limits: asked before a turn (budget) and before a session gets a process (live sessions). */
  limits?: {
    checkTurn(userId: string): Promise<void>;
    /** The most open sessions the user may have (null: no limit). */
    sessionLimit(userId: string): Promise<number | null>;
  };
  /** Each session's working folder (WORKSPACES); without it every session works in PROJECT_DIR. */
  workspaces?: Pick<Workspaces, 'forNewSession' | 'record' | 'othersOf'>;
  /** Where sent attachments are kept and served from (per user, in the data folder). */
  attachments?: Pick<AttachmentStore, 'save' | 'open'>;
  /** Starts processes (default: real CLI processes); lifecycle unit tests give a fake one. */
  starter?: ProcessStarter;
  /** Several replicas on one database: leases, handovers (core/replicas); none on one host. */
  replicas?: ReplicaHooks | undefined;
  /** Transcripts mirrored to PostgreSQL, reachable from every replica (core/transcripts/). */
  transcripts?: TranscriptMirror | undefined;
}

/** What the parts call back into: the manager's own steps. */
export interface PartsOwner {
  events: EventEmitter<SessionLifecycleEvents>;
  restart(s: Session, reason: 'memory_limit', graceMs?: number): Promise<void>;
  reserve(id: string): void;
  openSessionsOf(userId: string): number;
  pool(): WarmProcessSource | null;
  shuttingDown(): boolean;
}

export interface SessionParts {
  capacity: Capacity;
  writes: OrderedWrites;
  conversations: Conversations;
  host: SessionHost;
  registry: SessionRegistry;
  lists: SessionList;
  launcher: ProcessLauncher;
  starter: ProcessStarter;
  catalog: CliCatalog;
  resumes: Resumes;
  createContext: CreateContext;
}

export function sessionParts(deps: SessionManagerDeps, owner: PartsOwner): SessionParts {
  const { config, repo, log, transcripts } = deps;
  /** The owner of a session in memory or stored (undefined: no such session). */
  const ownerOf = async (sessionId: string): Promise<string | undefined> =>
    registry.peek(sessionId)?.ownerId ?? (await repo.get(sessionId))?.user_id;
  /**
   * Brings a session's local transcript up to the shared store before it is read, unless a process of
   * this server writes it (that file is the record, and a copy would race the SDK's appends in flight).
   */
  const transcriptFromStore = async (t: TranscriptMirror, id: string): Promise<unknown> => {
    const s = registry.peek(id);
    if (s && (s.hasLiveProcess || s.awaitsProcess)) return 'live';
    return t.prepare(id, configDirOf(config, (await ownerOf(id)) ?? BUILTIN_ADMIN));
  };
  const capacity = new Capacity(() => config.maxSessions, config.sessionEviction);
  const writes = new OrderedWrites(log);
  const conversations = new Conversations({
    // each user's CLI keeps its transcripts in its own config folder (the built-in admin: CLAUDE_CONFIG_DIR)
    configDirOf: async (id) => configDirOf(config, (await ownerOf(id)) ?? BUILTIN_ADMIN),
    projectDir: config.projectDir,
    repo,
    historyRepo: deps.history,
    pageSize: config.historyPageSize,
    attachments: deps.attachments,
    fromStore: transcripts && ((id) => transcriptFromStore(transcripts, id)),
  });
  const host = sessionHost({
    config,
    repo,
    writes: writes,
    log,
    metrics: deps.metrics,
    conversations: conversations,
    events: owner.events,
    releaseSlot: (id) => capacity.release(id),
    restart: (s, reason, graceMs) => owner.restart(s, reason, graceMs),
    processEnded: (s, proc) => deps.replicas?.processEnded(s, proc),
  });
  const registry = new SessionRegistry(async (id) => {
    const m = await repo.get(id);
    return m ? new Session(m, host, stateOnLoad(m.status)) : undefined;
  });
  const lists = new SessionList(repo, registry);
  const policy = {
    // a session asking about a tool call has a live process: it is in memory
    find: (id: string) => registry.peek(id),
    defaultMode: config.permissionMode,
    configDirOf: (userId: string) => configDirOf(config, userId),
    decidedByMode: (s: Session, d: Parameters<NonNullable<SessionHost['permissionDecided']>>[1]) =>
      owner.events.emit('permission', { ...d, session_id: s.id, user_id: s.ownerId }),
  };
  const launcher = new ProcessLauncher({
    config,
    repo,
    log,
    modelBaseUrl: deps.modelBaseUrl,
    extensions: deps.extensions,
    workspaces: deps.workspaces,
    canUseToolFor: (id) => canUseToolFor(policy, id),
    transcripts: deps.transcripts,
  });
  const starter = deps.starter ?? launcher;
  const catalog = new CliCatalog({
    fingerprint: () => deps.extensions().fingerprint,
    liveProcesses: () => [...registry.values()].flatMap((s) => (s.hasLiveProcess && s.proc ? [s.proc] : [])),
    startThrowaway: () => starter.start({ sessionId: randomUUID(), resume: false, ownerId: BUILTIN_ADMIN }),
    shuttingDown: () => owner.shuttingDown(),
  });
  const resumes = new Resumes({
    log,
    limits: deps.limits,
    openSessionsOf: (id) => owner.openSessionsOf(id),
    reserve: (id) => owner.reserve(id),
    starter,
    history: conversations.history,
    events: owner.events,
    touch: (x) => registry.touch(x),
    claim: (x) => deps.replicas?.claim(x),
  });
  const createContext: CreateContext = {
    config,
    log,
    host,
    registry,
    capacity,
    reserve: (id) => owner.reserve(id),
    catalog,
    launcher,
    starter,
    pool: owner.pool,
    workspaces: deps.workspaces,
    shuttingDown: () => owner.shuttingDown(),
    created: (e) => owner.events.emit('created', e),
    claimNew: (id) => deps.replicas?.claimNew(id),
  };
  return { capacity, writes, conversations, host, registry, lists, launcher, starter, catalog, resumes, createContext };
}
