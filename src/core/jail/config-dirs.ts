// Each user's own Claude config folder (CLAUDE_CONFIG_DIR of their CLIs): transcripts,
// file backups for rewind, plans. The built-in admin keeps the configured folder
// (CLAUDE_CONFIG_DIR, else ~/.claude), so a single-user install reads its history where it
// always was; every other user gets <data>/claude-config/<user folder>, which their jail
// binds writable while the rest of the data folder stays hidden.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import { folderName } from '../workspace/workspaces.js';

/** The user id of the bootstrap key (users migration). */
export const BUILTIN_ADMIN = 'default';

type DirConfig = Pick<Config, 'databasePath' | 'claudeConfigDir'>;

/** The folder holding every non-built-in user's config folder (inside the data folder). */
export function userConfigRoot(config: Pick<Config, 'databasePath'>): string {
  return path.join(path.dirname(config.databasePath), 'claude-config');
}

/** A user's CLAUDE_CONFIG_DIR (not created). */
export function configDirOf(config: DirConfig, userId: string): string {
  return userId === BUILTIN_ADMIN ? config.claudeConfigDir : path.join(userConfigRoot(config), folderName(userId));
}

/** A user's CLAUDE_CONFIG_DIR, created 0700 when missing. */
export function ensureConfigDir(config: DirConfig, userId: string): string {
  const dir = configDirOf(config, userId);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/**
 * Before per-user config folders, every CLI wrote into the one configured folder. A user's
 * transcripts (and file backups) found there move to their own folder once, at start, so
 * their sessions still resume, fork and rewind, and no other user's jail ever sees them.
 */
export async function migrateTranscripts(
  config: DirConfig,
  ownerOf: (sessionId: string) => Promise<string | undefined>,
  log: Logger,
): Promise<number> {
  const legacyProjects = path.join(config.claudeConfigDir, 'projects');
  let moved = 0;
  for (const project of safeReaddir(legacyProjects)) {
    const dir = path.join(legacyProjects, project);
    for (const entry of safeReaddir(dir)) {
      const m = entry.match(/^([0-9a-f-]{36})\.jsonl$/i);
      const owner = m ? await ownerOf(m[1] as string) : undefined;
      if (!m || !owner || owner === BUILTIN_ADMIN) continue;
      const id = m[1] as string;
      const target = ensureConfigDir(config, owner);
      try {
        moveInto(path.join(dir, entry), path.join(target, 'projects', project, entry));
        moveInto(path.join(dir, id), path.join(target, 'projects', project, id));
        moveInto(path.join(config.claudeConfigDir, 'file-history', id), path.join(target, 'file-history', id));
        moved++;
      } catch (e) {
        log.error({ err: (e as Error).message, session_id: id }, 'could not move a transcript to its user config folder');
      }
    }
  }
  if (moved) log.info({ moved }, 'moved transcripts of team users to their own config folders');
  return moved;
}

function moveInto(from: string, to: string): void {
  if (!fs.existsSync(from)) return;
  fs.mkdirSync(path.dirname(to), { recursive: true, mode: 0o700 });
  try {
    fs.renameSync(from, to);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
    fs.cpSync(from, to, { recursive: true });
    fs.rmSync(from, { recursive: true, force: true });
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
