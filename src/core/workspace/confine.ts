// Confinement of workspace paths: a request names a path relative to the session's working
// folder, and gets that file only when its real path (links resolved) lies inside the folder
// and is none of the server's own files (the database, the data folder, the CLI config folder,
// the per-user workspaces' root). Files are opened with O_NOFOLLOW on the real path and the
// opened descriptor is checked again (/proc/self/fd), so a link swapped in meanwhile gains nothing.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { PlatformError } from '../../protocol/errors.js';

const outside = () => new PlatformError('path_outside_workspace');

/** `p` is `dir` or inside it (both absolute, normalised). */
export function isWithin(dir: string, p: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/** Throws path_outside_workspace for a path that is absolute, climbs (`..`), or hides either behind percent-encoding. */
export function checkRelative(rel: string): string {
  if (rel.includes('\0')) throw outside();
  const forms = [rel];
  let cur = rel;
  // A client that encodes twice (or more) must not smuggle `..` past a single decode.
  for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(cur); i++) {
    try {
      cur = decodeURIComponent(cur);
    } catch {
      throw outside();
    }
    if (cur.includes('\0')) throw outside();
    forms.push(cur);
  }
  for (const f of forms) {
    if (f.startsWith('/') || f.startsWith('\\') || /^[A-Za-z]:/.test(f) || f.startsWith('~')) throw outside();
    if (f.split(/[/\\]/).some((seg) => seg === '..')) throw outside();
  }
  // One spelling: no empty or `.` segments, no trailing slash.
  return rel
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}

export interface ResolvedPath {
  /** Normalised relative path ('' for the root). */
  rel: string;
  /** The real absolute path (links resolved). */
  real: string;
}

export class ConfinedRoot {
  private constructor(
    /** The working folder's real path. */
    readonly root: string,
    /** Real paths never served (the folders among them only when they do not hold the root). */
    private readonly forbidden: string[],
  ) {}

  /**
   * The session's working folder with the paths it must never serve. A forbidden folder that
   * holds the working folder (PROJECT_DIR/data holding nothing of it, but `users/` holding a
   * per-user folder) only forbids what is not the working folder's.
   */
  static async open(root: string, forbidden: string[]): Promise<ConfinedRoot> {
    let real: string;
    try {
      real = await fsp.realpath(root);
    } catch {
      throw new PlatformError('not_found', 'The working folder does not exist');
    }
    const reals: string[] = [];
    for (const f of forbidden) {
      const r = await fsp.realpath(f).catch(() => path.resolve(f));
      if (!isWithin(r, real)) reals.push(r);
    }
    return new ConfinedRoot(real, reals);
  }

  /** Whether a real absolute path may be served. */
  allows(real: string): boolean {
    return isWithin(this.root, real) && !this.forbidden.some((f) => isWithin(f, real));
  }

  /** Whether an entry of a listing or archive is left out (a forbidden path, or `.git`). */
  hides(absolute: string, name: string): boolean {
    return name === '.git' || this.forbidden.some((f) => isWithin(f, absolute));
  }

  /** The real path of a relative one, refused unless it stays inside (not_found when missing). */
  async resolve(relIn: string): Promise<ResolvedPath> {
    const rel = checkRelative(relIn);
    const lexical = path.resolve(this.root, rel);
    if (!isWithin(this.root, lexical)) throw outside();
    let real: string;
    try {
      real = await fsp.realpath(lexical);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        // A dangling link still must not reveal where it points: only "not found" if the parent is inside.
        throw new PlatformError('not_found', 'File not found');
      }
      throw outside();
    }
    if (!this.allows(real)) throw outside();
    if (rel.split('/').includes('.git')) throw outside();
    return { rel, real };
  }

  /**
   * Opens a resolved path read-only without following a last link, then checks where the
   * descriptor really points. The caller closes the handle.
   */
  async openFile(real: string): Promise<{ fh: fsp.FileHandle; stat: fs.Stats }> {
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(real, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new PlatformError('not_found', 'File not found');
      if (code === 'ELOOP') throw outside();
      throw e;
    }
    try {
      const opened = await fsp.readlink(`/proc/self/fd/${fh.fd}`).catch(() => real);
      if (!this.allows(opened)) throw outside();
      const stat = await fh.stat();
      if (!stat.isFile()) throw new PlatformError('invalid_message', 'Not a file');
      return { fh, stat };
    } catch (e) {
      await fh.close();
      throw e;
    }
  }
}
