// What one session's jail shows: its workspace and its user's Claude config folder
// writable, a private /tmp, the extension files and the generated plugin read-only, the
// rest of the host read-only, and hidden: the data folder (database, other users' config
// folders, attachments, every generated plugin), the configured config folder when it is
// not this user's, and the other users' workspaces. Pictured in docs/security.md.
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/config.js';
import { protectedPaths } from '../cli/cli-options.js';
import { usersRoot } from '../workspace/workspaces.js';
import { bwrapArgs, type JailSpec } from './bwrap-args.js';
import { BUILTIN_ADMIN, ensureConfigDir } from './config-dirs.js';

export type JailConfig = Pick<Config, 'databasePath' | 'claudeConfigDir' | 'projectDir' | 'workspaces'>;

export interface SessionJailInput {
  cwd: string;
  /** This user's CLAUDE_CONFIG_DIR. */
  configDir: string;
  /** Local plugin folders the CLI loads (the generated one). */
  pluginDirs: string[];
}

const real = (p: string): string => {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
};
const exists = (p: string) => fs.existsSync(p);

export function sessionJailSpec(config: JailConfig, i: SessionJailInput): JailSpec {
  const own = real(i.configDir);
  const hidden = [path.dirname(config.databasePath), config.claudeConfigDir]
    .concat(config.workspaces === 'per-user' ? [usersRoot(config.projectDir)] : [])
    .filter(exists)
    .map(real)
    .filter((p) => p !== own);
  return {
    visible: [real(config.projectDir)],
    writable: [i.cwd, i.configDir].map(real),
    readOnly: [...new Set([...protectedPaths(config.projectDir), ...i.pluginDirs].filter(exists).map(real))],
    hidden: [...new Set(hidden)],
    cwd: i.cwd,
  };
}

/** The bubblewrap arguments (before `--`) of a session's jail. */
export function sessionJailArgs(config: JailConfig, i: SessionJailInput): string[] {
  return bwrapArgs(sessionJailSpec(config, i));
}

/** Why this layout cannot be jailed (checked at start), or null. */
export function jailLayoutProblem(config: JailConfig): string | null {
  const data = real(path.dirname(config.databasePath));
  if (config.workspaces === 'shared' && data === real(config.projectDir))
    return `the database lies directly in PROJECT_DIR (${config.projectDir}), the shared workspace: put it in a folder of its own (DATABASE_URL)`;
  return null;
}

/**
 * Where one session's CLI keeps its config and, with the jail on, the jail it runs in.
 * In a shared workspace the extension entries are made to exist (empty), so the jail can
 * mount them read-only: an agent cannot create an `mcp.json` that other users' sessions load.
 */
export function sessionPlacement(
  config: JailConfig & Pick<Config, 'agentJail'>,
  s: { cwd: string; ownerId: string; pluginDirs: string[] },
): { configDir: string; jail: string[] | undefined } {
  const configDir = ensureConfigDir(config, s.ownerId);
  if (config.agentJail !== 'on') return { configDir, jail: undefined };
  // Only for team users: the built-in admin is trusted with the extensions, and a single-user install gets no new files.
  if (config.workspaces === 'shared' && s.ownerId !== BUILTIN_ADMIN) ensureExtensionSlots(config.projectDir);
  return { configDir, jail: sessionJailArgs(config, { cwd: s.cwd, configDir, pluginDirs: s.pluginDirs }) };
}

function ensureExtensionSlots(projectDir: string): void {
  // Best effort: where PROJECT_DIR cannot be written (a read-only image), no agent can create them either.
  try {
    for (const d of ['skills', 'commands']) fs.mkdirSync(path.join(projectDir, d), { recursive: true });
    fs.writeFileSync(path.join(projectDir, 'mcp.json'), '{\n  "mcpServers": {}\n}\n', { flag: 'wx' });
  } catch {
    /* there already, or not writable */
  }
}
