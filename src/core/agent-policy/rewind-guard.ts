// Rewind restores files from the CLI's checkpoints, which live in the user's own config folder:
// the agent can forge them (a backup file and a transcript line naming any path). So the change
// set is computed first (the SDK's dry run) and every file in it must lie inside the session's
// workspace, by real path with symlinks resolved, and outside what the workspace must not change
// (the shared extension files, the data folder, the CLI config folder, other users' folders).
// One file outside refuses the whole rewind and nothing is written.
import fs from 'node:fs';
import path from 'node:path';
import { PlatformError } from '../../protocol/errors.js';
import { userConfigRoot } from '../jail/config-dirs.js';
import { usersRoot } from '../workspace/workspaces.js';

export interface RewindScope {
  /** The session's working folder. */
  workspace: string;
  projectDir: string;
  /** The database file; its folder is the data folder (generated plugins, attachments, config folders). */
  databasePath: string;
  claudeConfigDir: string;
}

/** The path with every existing part's symlinks resolved (a missing tail is kept as written). */
export function realPathOf(p: string): string {
  const abs = path.resolve(p);
  let head = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(fs.realpathSync(head), ...tail);
    } catch {
      const up = path.dirname(head);
      if (up === head) return abs;
      tail.unshift(path.basename(head));
      head = up;
    }
  }
}

/** Folders of the data folder the server writes (besides the database and the users' config folders). */
const DATA_FOLDERS = ['generated-plugins', 'attachments', 'claude-config'];

const within = (root: string, p: string) => {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
};

/** Files of the change set the rewind may not touch (absolute real paths), in the order given. */
export function filesOutsideWorkspace(files: readonly string[], scope: RewindScope): string[] {
  const ws = realPathOf(scope.workspace);
  const project = realPathOf(scope.projectDir);
  const dataDir = realPathOf(path.dirname(scope.databasePath));
  const db = realPathOf(scope.databasePath);
  const forbidden = [
    ...['mcp.json', '.mcp.json', 'skills', 'commands'].map((n) => path.join(project, n)),
    ...['', '-wal', '-shm', '-journal'].map((x) => db + x),
    realPathOf(scope.claudeConfigDir),
    realPathOf(userConfigRoot(scope)),
  ];
  // The whole data folder, unless the workspace lies inside it (then what it holds, by name).
  if (within(dataDir, ws)) forbidden.push(...DATA_FOLDERS.map((n) => path.join(dataDir, n)));
  else forbidden.push(dataDir);
  // In a shared workspace (PROJECT_DIR) the per-user folders are still other people's.
  if (ws === project) forbidden.push(realPathOf(usersRoot(scope.projectDir)));
  return files
    .map((f) => realPathOf(path.resolve(scope.workspace, f)))
    .filter((real) => !within(ws, real) || forbidden.some((root) => within(root, real)));
}

/** rewind_refused, with the files that caused it (for the audit log). */
export class RewindRefused extends PlatformError {
  constructor(readonly files: string[]) {
    const shown = files.slice(0, 5).join(', ') + (files.length > 5 ? ` and ${files.length - 5} more` : '');
    super(
      'rewind_refused',
      `Rewind refused: it would change ${files.length === 1 ? 'a file' : 'files'} outside this session's workspace (${shown}). Nothing was changed.`,
    );
  }
}

/** Throws rewind_refused naming the files when any lies outside the workspace. */
export function checkRewindScope(files: readonly string[], scope: RewindScope): void {
  const outside = filesOutsideWorkspace(files, scope);
  if (outside.length > 0) throw new RewindRefused(outside);
}
