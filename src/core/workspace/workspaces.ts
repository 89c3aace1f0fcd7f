// Where a session's agent works. WORKSPACES=shared: PROJECT_DIR for everyone. per-user:
// PROJECT_DIR/users/<user id>, created 0700 on first use; the platform's extensions
// (mcp.json, skills/, commands/) stay shared from PROJECT_DIR. A session keeps the folder
// it was created in (recorded), so resuming it finds its transcript whatever the setting is now.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config/config.js';
import type { WorkspaceRepository } from '../../db/ports.js';

/** The folder under PROJECT_DIR that holds every user's workspace. */
export const USERS_DIR = 'users';

/** A user id as a folder name: itself when plainly safe, else a hash (never `..`, `/` or a dot file). */
export function folderName(userId: string): string {
  return /^[A-Za-z0-9_-]{1,64}$/.test(userId) ? userId : `u-${createHash('sha256').update(userId).digest('hex').slice(0, 32)}`;
}

export function usersRoot(projectDir: string): string {
  return path.join(projectDir, USERS_DIR);
}

export class Workspaces {
  constructor(
    private readonly config: Pick<Config, 'projectDir' | 'workspaces'>,
    private readonly repo: WorkspaceRepository,
  ) {}

  get perUser(): boolean {
    return this.config.workspaces === 'per-user';
  }

  /** The folder a new session of this user works in; created (0700) when missing. */
  forNewSession(userId: string): string {
    if (!this.perUser) return this.config.projectDir;
    const root = usersRoot(this.config.projectDir);
    const dir = path.join(root, folderName(userId));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode does not apply to folders that were there already, nor past the umask.
    fs.chmodSync(root, 0o700);
    fs.chmodSync(dir, 0o700);
    return dir;
  }

  record(sessionId: string, cwd: string): Promise<void> {
    return this.repo.record(sessionId, cwd);
  }

  /** The folder a session works in: the recorded one; sessions from before this record ran in PROJECT_DIR. */
  async cwdOf(sessionId: string): Promise<string> {
    return (await this.repo.cwdOf(sessionId)) ?? this.config.projectDir;
  }

  /** Other users' folders as they are now (deny rules for the file tools name each). */
  othersOf(cwd: string): string[] {
    if (!this.perUser) return [];
    const root = usersRoot(this.config.projectDir);
    let names: string[];
    try {
      names = fs.readdirSync(root);
    } catch {
      return [];
    }
    return names.map((n) => path.join(root, n)).filter((p) => p !== cwd);
  }
}
