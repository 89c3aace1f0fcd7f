// The CLI's transcript files in a config folder, as the SDK names them:
// <config>/projects/<projectKey>/<sessionId>.jsonl, subagents under <sessionId>/<subpath>.jsonl.
// The agent can write its config folder, so nothing here follows a link out of it.
import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { SessionKey, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';

const SAFE_PART = /^[\w.-]+$/;

/** Whether every part of a key can name a file (no `..`, no separators smuggled in). */
export function safeKey(key: { projectKey: string; sessionId: string; subpath?: string | undefined }): boolean {
  const parts = [key.projectKey, key.sessionId, ...(key.subpath ? key.subpath.split('/') : [])];
  return parts.every((p) => SAFE_PART.test(p) && p !== '.' && p !== '..');
}

/** Where the CLI keeps the transcript of a key in a config folder. */
export function transcriptFile(configDir: string, key: SessionKey): string {
  if (!safeKey(key)) throw new Error('unsafe transcript key');
  const dir = path.join(configDir, 'projects', key.projectKey);
  return key.subpath ? path.join(dir, key.sessionId, `${key.subpath}.jsonl`) : path.join(dir, `${key.sessionId}.jsonl`);
}

/** JSONL lines, up to the last complete one (a line being written is left for later; a cut one skipped). */
export function parseTranscript(buf: Buffer): SessionStoreEntry[] {
  return parseJsonLines(buf.subarray(0, buf.lastIndexOf(0x0a) + 1).toString('utf8'));
}

/** Parses JSONL, skipping a line cut by a crash mid-write. */
export function parseJsonLines(text: string): SessionStoreEntry[] {
  const out: SessionStoreEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as SessionStoreEntry);
    } catch {
      /* a cut line */
    }
  }
  return out;
}

/** The file's lines, or null when there is no such file (never through a link). */
export async function readTranscriptFile(file: string): Promise<SessionStoreEntry[] | null> {
  try {
    return parseTranscript(await fs.readFile(file, { flag: fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** The session's local transcripts: its main file in whichever project folder holds it, and its subagents'. */
export async function findLocalTranscripts(configDir: string, sessionId: string): Promise<SessionKey[]> {
  const projects = path.join(configDir, 'projects');
  let dirs: string[];
  let root: string;
  try {
    dirs = await fs.readdir(projects);
    root = await fs.realpath(projects);
  } catch {
    return [];
  }
  for (const projectKey of dirs) {
    const key = { projectKey, sessionId };
    if (!safeKey(key)) continue;
    // A project folder the agent replaced by a link out of its config folder is not followed.
    const real = await fs.realpath(path.join(projects, projectKey)).catch(() => '');
    if (!real.startsWith(root + path.sep)) continue;
    const main = transcriptFile(configDir, key);
    const st = await fs.lstat(main).catch(() => undefined);
    if (!st?.isFile()) continue;
    const keys: SessionKey[] = [key];
    const sub = path.join(projects, projectKey, sessionId);
    const files = await fs.readdir(sub, { recursive: true, withFileTypes: true }).catch(() => []);
    for (const f of files) {
      if (!f.isFile() || !f.name.endsWith('.jsonl')) continue;
      const rel = path.relative(sub, path.join(f.parentPath, f.name)).slice(0, -'.jsonl'.length);
      const subKey = { projectKey, sessionId, subpath: rel.split(path.sep).join('/') };
      if (safeKey(subKey)) keys.push(subKey);
    }
    return keys;
  }
  return [];
}

/**
 * Writes a transcript where the CLI looks for it: a new file renamed into place (a reader never
 * sees half of it), in folders checked to lie inside the config folder's real path.
 */
export async function writeTranscriptFile(configDir: string, key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
  const file = transcriptFile(configDir, key);
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const root = await fs.realpath(path.join(configDir, 'projects'));
  const realDir = await fs.realpath(dir);
  if (realDir !== root && !realDir.startsWith(root + path.sep)) throw new Error('transcript folder leads out of the config folder');
  const target = path.join(realDir, path.basename(file));
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  const h = await fs.open(tmp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o600);
  try {
    await h.writeFile(entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  } finally {
    await h.close();
  }
  await fs.rename(tmp, target);
}
