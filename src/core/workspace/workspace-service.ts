// The workspace beside the chat, for one session at a time: its working folder's files, a folder
// as a zip, and what changed (git when the folder is a repository, and always the files the
// session's agent changed, from its checkpoints). Callers pass a session the owner check passed.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createTwoFilesPatch, diffLines } from 'diff';
import type { Config } from '../../config/config.js';
import { PlatformError } from '../../protocol/errors.js';
import type { ChangedFile, ChangesResponse, DiffResponse, FileListResponse } from '../../protocol/workspace.js';
import { Checkpoints } from './checkpoints.js';
import { ConfinedRoot, checkRelative } from './confine.js';
import { archiveFolder, listFolder, type OpenedFile, openContent } from './files.js';
import { gitChanges, gitDiff, gitTracks, openRepo } from './git.js';
import { usersRoot } from './workspaces.js';

/** Changed files listed at most (the answer says `truncated` past it). */
export const MAX_CHANGED_FILES = 1000;
/** Files past this size get no line counts or diff computed here (null counts). */
const MAX_DIFF_BYTES = 1024 * 1024;
/** Untracked files whose lines are counted per answer (the rest: null). */
const MAX_COUNTED = 200;

export interface WorkspaceDeps {
  config: Pick<Config, 'databasePath' | 'claudeConfigDir' | 'projectDir'>;
  /** The session's working folder. */
  cwdOf(sessionId: string): Promise<string>;
  /** The session's transcript file, if the CLI wrote one. */
  transcriptOf(sessionId: string): Promise<string | undefined>;
  /** More folders never served (a user's own CLI config folder, when there is one per user). */
  moreForbidden?(sessionId: string): string[];
}

async function readSmall(file: string): Promise<string | null> {
  try {
    const st = await fsp.stat(file);
    if (st.size > MAX_DIFF_BYTES) return null;
    return await fsp.readFile(file, 'utf8');
  } catch {
    return null;
  }
}

const isBinary = (s: string) => s.includes('\0');

function lineCounts(a: string, b: string): { additions: number; deletions: number } {
  let additions = 0;
  let deletions = 0;
  for (const c of diffLines(a, b)) {
    if (c.added) additions += c.count ?? 0;
    else if (c.removed) deletions += c.count ?? 0;
  }
  return { additions, deletions };
}

export class WorkspaceService {
  private readonly checkpoints = new Checkpoints();

  constructor(private readonly d: WorkspaceDeps) {}

  /** The session's working folder, confined, with the server's own files forbidden. */
  async root(sessionId: string): Promise<ConfinedRoot> {
    const { databasePath, claudeConfigDir, projectDir } = this.d.config;
    const forbidden = [
      databasePath,
      `${databasePath}-wal`,
      `${databasePath}-shm`,
      `${databasePath}-journal`,
      // The data folder may lie inside PROJECT_DIR (the defaults put both in the current folder).
      path.dirname(databasePath),
      claudeConfigDir,
      usersRoot(projectDir),
      ...(this.d.moreForbidden?.(sessionId) ?? []),
    ];
    return ConfinedRoot.open(await this.d.cwdOf(sessionId), forbidden);
  }

  async list(sessionId: string, rel: string, offset?: number, limit?: number): Promise<FileListResponse> {
    return listFolder(await this.root(sessionId), rel, offset, limit);
  }

  async content(sessionId: string, rel: string, maxBytes: number): Promise<OpenedFile> {
    return openContent(await this.root(sessionId), rel, maxBytes);
  }

  async archive(sessionId: string, rel: string) {
    return archiveFolder(await this.root(sessionId), rel);
  }

  /** The files the session's agent changed that lie in its working folder: relative path → earliest backup. */
  private async sessionFiles(sessionId: string, root: ConfinedRoot): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    const transcript = await this.d.transcriptOf(sessionId);
    if (!transcript) return out;
    for (const t of await this.checkpoints.tracked(transcript, sessionId, root.root)) {
      // Compared by real parent folder: the CLI records real paths.
      const parent = await fsp.realpath(path.dirname(t.absolute)).catch(() => path.dirname(t.absolute));
      const abs = path.join(parent, path.basename(t.absolute));
      if (!root.allows(abs)) continue;
      out.set(path.relative(root.root, abs).split(path.sep).join('/'), t.original);
    }
    return out;
  }

  async changes(sessionId: string): Promise<ChangesResponse> {
    const root = await this.root(sessionId);
    const [repo, mine] = await Promise.all([openRepo(root.root), this.sessionFiles(sessionId, root)]);
    const git = repo ? await gitChanges(root.root, repo) : null;
    const files = new Map<string, ChangedFile>();
    let counted = 0;
    for (const f of git?.files ?? []) {
      if (!root.allows(path.join(root.root, f.path))) continue;
      if ((f.status === 'untracked' || (f.status === 'added' && f.additions === null)) && counted < MAX_COUNTED) {
        counted++;
        const text = await readSmall(path.join(root.root, f.path));
        if (text !== null && !isBinary(text)) f.additions = lineCounts('', text).additions;
        if (text !== null && !isBinary(text)) f.deletions = 0;
      }
      files.set(f.path, { ...f, by_session: mine.has(f.path) });
    }
    for (const [rel, original] of mine) {
      if (files.has(rel)) continue;
      const before = original === null ? '' : await readSmall(original);
      const now = await readSmall(path.join(root.root, rel));
      const exists = await fsp
        .lstat(path.join(root.root, rel))
        .then(() => true)
        .catch(() => false);
      if (original !== null && before !== null && now !== null && before === now) continue;
      if (original === null && !exists) continue;
      const status: ChangedFile['status'] = original === null ? 'added' : exists ? 'modified' : 'deleted';
      const binary = (before !== null && isBinary(before)) || (now !== null && isBinary(now));
      const counts = before !== null && (now !== null || !exists) && !binary ? lineCounts(before, now ?? '') : null;
      files.set(rel, {
        path: rel,
        status,
        additions: counts?.additions ?? null,
        deletions: counts?.deletions ?? null,
        by_session: true,
      });
    }
    const list = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return {
      is_repository: repo !== null,
      branch: git?.branch ?? null,
      head: git?.head ?? null,
      files: list.slice(0, MAX_CHANGED_FILES),
      truncated: list.length > MAX_CHANGED_FILES,
    };
  }

  /** One file's unified diff: against git's commit when git tracks it, else against the session's earliest backup. */
  async diff(sessionId: string, relIn: string): Promise<DiffResponse> {
    const root = await this.root(sessionId);
    const rel = checkRelative(relIn);
    if (!rel) throw new PlatformError('invalid_message', 'path names a file');
    // The file may be gone (deleted): its folder must still be inside.
    const parent = await root.resolve(path.posix.dirname(rel) === '.' ? '' : path.posix.dirname(rel));
    const abs = path.join(parent.real, path.posix.basename(rel));
    if (!root.allows(abs) || root.hides(abs, path.posix.basename(rel))) throw new PlatformError('path_outside_workspace');
    let current: string | null = null;
    try {
      const { fh, stat } = await root.openFile(abs);
      try {
        current = stat.size > MAX_DIFF_BYTES ? null : await fh.readFile('utf8');
      } finally {
        await fh.close();
      }
    } catch (e) {
      if (!(e instanceof PlatformError && e.code === 'not_found')) throw e;
    }
    const repo = await openRepo(root.root);
    if (repo && (await gitTracks(root.root, repo, rel))) {
      const diff = await gitDiff(root.root, repo, rel);
      return { path: rel, diff, binary: /^Binary files /m.test(diff) };
    }
    const mine = await this.sessionFiles(sessionId, root);
    let before: string | null = '';
    if (mine.has(rel)) {
      const original = mine.get(rel) ?? null;
      before = original === null ? '' : await readSmall(original);
    } else if (!repo || current === null) {
      return { path: rel, diff: '', binary: false };
    }
    if (before === null || (current !== null && isBinary(current)) || isBinary(before)) return { path: rel, diff: '', binary: true };
    const after = current ?? '';
    if (before === after) return { path: rel, diff: '', binary: false };
    const diff = createTwoFilesPatch(
      before === '' && !mine.get(rel) ? '/dev/null' : `a/${rel}`,
      current === null ? '/dev/null' : `b/${rel}`,
      before,
      after,
      undefined,
      undefined,
      { context: 3 },
    );
    return { path: rel, diff, binary: false };
  }
}
