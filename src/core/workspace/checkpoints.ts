// The files a session's agent changed, from its file checkpoints: before a tool first changes a
// file the CLI backs it up (`<config>/file-history/<session>/<hash>@v<n>`) and notes it in the
// transcript (`file-history-delta` and `file-history-snapshot` entries). The earliest backup of a
// path is the file as it was before the session touched it (none: the session created it).
import fsp from 'node:fs/promises';
import path from 'node:path';

export interface TrackedFile {
  /** Absolute path of the file. */
  absolute: string;
  /** Absolute path of its earliest backup; null when the file did not exist before the session. */
  original: string | null;
}

interface Backup {
  backupFileName?: string | null;
  version?: number;
  realParentDir?: string;
}

interface Cached {
  size: number;
  files: Map<string, { version: number; original: string | null }>;
}

const SAFE_BACKUP = /^[\w.@-]+$/;

/** Reads the checkpoints of transcripts, remembering each one's files (a transcript only grows: read again when its size changed). */
export class Checkpoints {
  private readonly cache = new Map<string, Cached>();

  /** The files the session changed, by absolute path. `cwd` resolves relative tracking paths. */
  async tracked(transcript: string, sessionId: string, cwd: string): Promise<TrackedFile[]> {
    let size: number;
    try {
      size = (await fsp.stat(transcript)).size;
    } catch {
      return [];
    }
    let c = this.cache.get(transcript);
    if (!c || c.size !== size) {
      c = { size, files: this.parse(await fsp.readFile(transcript, 'utf8'), transcript, sessionId, cwd) };
      this.cache.set(transcript, c);
      if (this.cache.size > 500) this.cache.delete(this.cache.keys().next().value as string);
    }
    return [...c.files].map(([absolute, f]) => ({ absolute, original: f.original }));
  }

  private parse(text: string, transcript: string, sessionId: string, cwd: string): Cached['files'] {
    // <config>/projects/<project>/<session>.jsonl → <config>/file-history/<session>/
    const backups = path.join(path.dirname(path.dirname(path.dirname(transcript))), 'file-history', sessionId);
    const files: Cached['files'] = new Map();
    const note = (trackingPath: string, b: Backup | undefined) => {
      if (!b || typeof b.version !== 'number') return;
      const absolute = b.realParentDir ? path.join(b.realParentDir, path.basename(trackingPath)) : path.resolve(cwd, trackingPath);
      const prev = files.get(absolute);
      if (prev && prev.version <= b.version) return;
      const name = b.backupFileName;
      files.set(absolute, { version: b.version, original: name && SAFE_BACKUP.test(name) ? path.join(backups, name) : null });
    };
    for (const line of text.split('\n')) {
      if (!line.includes('"file-history-')) continue;
      let e: { type?: string; trackingPath?: string; backup?: Backup; snapshot?: { trackedFileBackups?: Record<string, Backup> } };
      try {
        e = JSON.parse(line);
      } catch {
        continue;
      }
      if (e.type === 'file-history-delta' && typeof e.trackingPath === 'string') note(e.trackingPath, e.backup);
      else if (e.type === 'file-history-snapshot') for (const [p, b] of Object.entries(e.snapshot?.trackedFileBackups ?? {})) note(p, b);
    }
    return files;
  }
}
