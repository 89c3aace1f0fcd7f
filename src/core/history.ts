// The conversation so far, read from the CLI's transcript in the config dir the
// CLIs were given (never this process's environment), plus the stored turn outcomes.
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  forkSession,
  getSessionMessages,
  type SessionKey,
  type SessionStore,
  type SessionStoreEntry,
} from '@anthropic-ai/claude-agent-sdk';
import { PlatformError } from '../protocol/errors.js';
import type { HistoryMessage } from '../protocol/messages.js';
import { historyFromTranscript, withTurnResults } from './turn-translator.js';

type TurnRow = Parameters<typeof withTurnResults>[1][number];

const SAFE_NAME = /^[\w.-]+$/;

/**
 * The CLI keeps one transcript per session at <configDir>/projects/<project>/<id>.jsonl: a store
 * over them. Appends only ever create a fork's new transcript (the SDK's forkSession writes one).
 */
function transcriptStore(configDir: string): SessionStore {
  const projects = path.join(configDir, 'projects');
  return {
    async append(key: SessionKey, entries: SessionStoreEntry[]) {
      const parts = [key.projectKey, key.sessionId, ...(key.subpath ? key.subpath.split('/') : [])];
      if (!parts.every((p) => SAFE_NAME.test(p) && p !== '.' && p !== '..')) throw new Error('unsafe transcript key');
      const file = key.subpath
        ? path.join(projects, key.projectKey, key.sessionId, `${key.subpath}.jsonl`)
        : path.join(projects, key.projectKey, `${key.sessionId}.jsonl`);
      await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
      await fs.appendFile(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''), { mode: 0o600 });
    },
    async load(key: SessionKey): Promise<SessionStoreEntry[] | null> {
      if (key.subpath) return null;
      let dirs: string[];
      try {
        dirs = await fs.readdir(projects);
      } catch {
        return null;
      }
      for (const d of dirs) {
        let text: string;
        try {
          text = await fs.readFile(path.join(projects, d, `${key.sessionId}.jsonl`), 'utf8');
        } catch {
          continue;
        }
        const out: SessionStoreEntry[] = [];
        for (const line of text.split('\n')) {
          if (!line.trim()) continue;
          try {
            out.push(JSON.parse(line) as SessionStoreEntry);
          } catch {
            /* a line cut by a crash mid-write */
          }
        }
        return out;
      }
      return null;
    },
  };
}

export class History {
  private readonly store: SessionStore;

  constructor(private readonly opts: { configDir: string; projectDir: string; turnsOf: (sessionId: string) => TurnRow[] }) {
    this.store = transcriptStore(opts.configDir);
  }

  /**
   * Whether the CLI wrote a transcript for the session. A session whose process
   * ended before its first message has none: it must start fresh under its id,
   * since resuming it fails with "No conversation found".
   */
  async hasTranscript(sessionId: string): Promise<boolean> {
    const projects = path.join(this.opts.configDir, 'projects');
    let dirs: string[];
    try {
      dirs = await fs.readdir(projects);
    } catch {
      return false;
    }
    for (const d of dirs) {
      try {
        await fs.access(path.join(projects, d, `${sessionId}.jsonl`));
        return true;
      } catch {
        /* not in this project folder */
      }
    }
    return false;
  }

  /** The content blocks of one user message of the transcript (by its uuid), or null. */
  async userBlocks(sessionId: string, uuid: string): Promise<unknown[] | null> {
    let raw: { type: string; uuid?: string; message: unknown }[] = [];
    try {
      raw = (await getSessionMessages(sessionId, { dir: this.opts.projectDir, sessionStore: this.store })) as typeof raw;
    } catch {
      return null;
    }
    const m = raw.find((r) => r.type === 'user' && r.uuid === uuid);
    const content = (m?.message as { content?: unknown } | undefined)?.content;
    return Array.isArray(content) ? content : null;
  }

  /**
   * Copies the session's transcript to a new session (fresh ids) in the transcript folder of `cwd`
   * (where a CLI started there looks for it) and returns the new id. With `beforeMessageId` (a user
   * message of the session) the copy ends just before that message.
   */
  async fork(sessionId: string, cwd: string, beforeMessageId?: string): Promise<string> {
    let upToMessageId: string | undefined;
    if (beforeMessageId) {
      const chain = await getSessionMessages(sessionId, { dir: this.opts.projectDir, sessionStore: this.store });
      const i = chain.findIndex((m) => m.uuid === beforeMessageId && m.type === 'user');
      if (i < 0) throw new PlatformError('invalid_message', 'No user message with that message_id in this session');
      if (i === 0) throw new PlatformError('invalid_message', 'Nothing comes before the first message: start a new session instead');
      upToMessageId = chain[i - 1]?.uuid;
    }
    try {
      const r = await forkSession(sessionId, {
        dir: cwd,
        sessionStore: this.store,
        ...(upToMessageId ? { upToMessageId } : {}),
      });
      return r.sessionId;
    } catch (e) {
      throw new PlatformError('invalid_message', `This session has no conversation to fork yet (${(e as Error).message.slice(0, 200)})`);
    }
  }

  /** Every message of the session, with each turn's outcome after it. An unknown or unreadable transcript is empty. */
  async load(sessionId: string): Promise<HistoryMessage[]> {
    let raw: Parameters<typeof historyFromTranscript>[0] = [];
    try {
      raw = (await getSessionMessages(sessionId, { dir: this.opts.projectDir, sessionStore: this.store })) as typeof raw;
    } catch {
      raw = [];
    }
    return withTurnResults(historyFromTranscript(raw), this.opts.turnsOf(sessionId));
  }
}

/** History up to (not including) the turn that starts with `text`: its events follow from the buffer instead. */
export function before(messages: HistoryMessage[], text: string): HistoryMessage[] {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.type === 'user' && m.text === text) return messages.slice(0, i);
  }
  return messages;
}
