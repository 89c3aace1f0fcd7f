// Reading the working folder: a folder's entries, one file's bytes with a sniffed type, and a
// folder as a zip streamed while it is read. Every path goes through ConfinedRoot first.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import yazl from 'yazl';
import { PlatformError } from '../../protocol/errors.js';
import type { FileListResponse, WorkspaceEntry } from '../../protocol/workspace.js';
import type { ConfinedRoot } from './confine.js';

/** A folder archive stops adding files past this many (the zip says so in a note). */
export const ARCHIVE_MAX_FILES = 50_000;

/** Entries of one listing page at most (the rest: `offset`). */
export const LIST_PAGE = 1000;

/**
 * A page of a folder's entries, folders first then by name. The order comes from readdir's own
 * types, so only the page's entries are lstat'ed (size, time): a 10,000-file folder costs one
 * readdir and a thousand lstat calls, not ten thousand.
 */
export async function listFolder(root: ConfinedRoot, rel: string, offset = 0, limit = LIST_PAGE): Promise<FileListResponse> {
  const r = await root.resolve(rel);
  let names: fs.Dirent[];
  try {
    names = await fsp.readdir(r.real, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') throw new PlatformError('invalid_message', 'Not a folder');
    throw e;
  }
  const kept = names.filter((d) => !root.hides(path.join(r.real, d.name), d.name));
  const keyed = kept.map((d) => ({ d, dir: d.isDirectory(), key: d.name.toLowerCase() }));
  keyed.sort((a, b) => {
    if (a.dir !== b.dir) return a.dir ? -1 : 1;
    return a.key < b.key ? -1 : a.key > b.key ? 1 : a.d.name < b.d.name ? -1 : a.d.name > b.d.name ? 1 : 0;
  });
  const page = keyed.slice(offset, offset + limit);
  // lstat in a loop: on a busy machine thousands of calls queued on libuv's four threads took
  // seconds where a loop takes milliseconds.
  const entries: WorkspaceEntry[] = [];
  for (const { d } of page) {
    const st = fs.lstatSync(path.join(r.real, d.name), { throwIfNoEntry: false });
    if (!st) continue; // gone meanwhile
    entries.push({
      name: d.name,
      type: st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file',
      size: st.size,
      modified_at: st.mtime.toISOString(),
    });
  }
  return { path: r.rel, entries, total: keyed.length, offset, has_more: offset + page.length < keyed.length };
}

const IMAGE_MAGIC: [string, (b: Buffer) => boolean][] = [
  ['image/png', (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))],
  ['image/jpeg', (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff],
  ['image/gif', (b) => b.subarray(0, 6).toString('latin1') === 'GIF87a' || b.subarray(0, 6).toString('latin1') === 'GIF89a'],
  ['image/webp', (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP'],
];

/**
 * The type a file is served with, from its first bytes: the four raster image types, else text
 * (UTF-8 without NUL bytes) as text/plain, else bytes. HTML and SVG are text: never rendered.
 */
export function sniffType(head: Buffer): string {
  for (const [type, test] of IMAGE_MAGIC) if (test(head)) return type;
  if (head.includes(0)) return 'application/octet-stream';
  // A cut multi-byte character at the end of the sample is still text.
  const text = head.toString('utf8');
  const bad = (text.match(/\uFFFD/g) ?? []).length;
  if (bad > 1 || (bad === 1 && !text.endsWith('\uFFFD'))) return 'application/octet-stream';
  return 'text/plain; charset=utf-8';
}

export interface OpenedFile {
  name: string;
  size: number;
  contentType: string;
  stream: Readable;
}

/** One file to send, type sniffed; refused past `maxBytes` (file_too_large). */
export async function openContent(root: ConfinedRoot, rel: string, maxBytes: number): Promise<OpenedFile> {
  const r = await root.resolve(rel);
  const { fh, stat } = await root.openFile(r.real);
  try {
    if (stat.size > maxBytes) throw new PlatformError('file_too_large', undefined, { max: maxBytes });
    const head = Buffer.alloc(Math.min(8192, stat.size));
    await fh.read(head, 0, head.length, 0);
    const stream = fh.createReadStream({ start: 0, autoClose: true });
    return { name: path.basename(r.rel) || 'file', size: stat.size, contentType: sniffType(head), stream };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/**
 * A folder as a zip, streamed: files are added as the walk finds them and read one at a time
 * while the client downloads. Links are not followed (left out), nor `.git` or the server's files.
 */
export async function archiveFolder(root: ConfinedRoot, rel: string): Promise<{ name: string; stream: Readable }> {
  const r = await root.resolve(rel);
  const st = await fsp.stat(r.real);
  if (!st.isDirectory()) throw new PlatformError('invalid_message', 'Not a folder');
  const zip = new yazl.ZipFile();
  const name = `${path.basename(r.rel || r.real) || 'workspace'}.zip`;
  void (async () => {
    let count = 0;
    const walk = async (dir: string, prefix: string): Promise<void> => {
      let items: fs.Dirent[];
      try {
        items = await fsp.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      items.sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const d of items) {
        const abs = path.join(dir, d.name);
        if (root.hides(abs, d.name) || !root.allows(abs)) continue;
        const inZip = prefix ? `${prefix}/${d.name}` : d.name;
        if (d.isDirectory()) {
          zip.addEmptyDirectory(inZip);
          await walk(abs, inZip);
        } else if (d.isFile()) {
          if (++count > ARCHIVE_MAX_FILES) return;
          const st = await fsp.lstat(abs).catch(() => null);
          if (!st) continue;
          // Opened only when the zip reaches it (one descriptor at a time), without following a
          // link swapped in after the walk saw a file; one that went or was refused is empty.
          zip.addReadStreamLazy(inZip, { mtime: st.mtime, mode: st.mode & 0o777 }, (cb) => {
            root.openFile(abs).then(
              ({ fh }) => cb(null, fh.createReadStream({ autoClose: true })),
              () => cb(null, Readable.from([])),
            );
          });
        }
        if (count > ARCHIVE_MAX_FILES) return;
      }
    };
    try {
      await walk(r.real, '');
      if (count > ARCHIVE_MAX_FILES)
        zip.addBuffer(Buffer.from(`The archive stops at ${ARCHIVE_MAX_FILES} files.\n`), 'ARCHIVE-TRUNCATED.txt');
    } finally {
      zip.end();
    }
  })();
  return { name, stream: zip.outputStream as unknown as Readable };
}
