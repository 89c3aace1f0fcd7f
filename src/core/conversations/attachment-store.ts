// Attachments kept per user in the data folder (<data>/attachments/<user folder>/<session id>/),
// written when a message is sent and served from there as a file stream: a fetch neither re-reads
// the transcript nor holds the bytes in memory. Each file is `<message uuid>.<block index>` (the id
// the history gives), its media type in a `.type` file beside it. Files are private (umask 077).
import fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { folderName } from '../workspace/workspaces.js';
import { attachmentContent } from './attachments.js';

const ID = /^[0-9a-f-]{36}\.\d{1,4}$/i;

export class AttachmentStore {
  constructor(private readonly root: string) {}

  private dirOf(userId: string, sessionId: string): string {
    return path.join(this.root, folderName(userId), sessionId);
  }

  /** Keeps the attachments of a message as sent (content[0] is its text; the ids index this array). */
  save(userId: string, sessionId: string, messageId: string, content: Parameters<typeof attachmentContent>[0][]): void {
    const dir = this.dirOf(userId, sessionId);
    content.forEach((block, i) => {
      const file = attachmentContent(block);
      if (!file) return;
      fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
      fs.writeFileSync(path.join(dir, `${messageId}.${i}`), file.bytes, { mode: 0o600 });
      fs.writeFileSync(path.join(dir, `${messageId}.${i}.type`), file.mediaType, { mode: 0o600 });
    });
  }

  /** One stored attachment as a stream with its type and size, or null when this store does not hold it. */
  open(userId: string, sessionId: string, attachmentId: string): { mediaType: string; size: number; stream: Readable } | null {
    if (!ID.test(attachmentId)) return null;
    const file = path.join(this.dirOf(userId, sessionId), attachmentId);
    try {
      const mediaType = fs.readFileSync(`${file}.type`, 'utf8');
      const size = fs.statSync(file).size;
      return { mediaType, size, stream: fs.createReadStream(file) };
    } catch {
      return null;
    }
  }

  /** Removes a session's attachments (when the session is deleted); how many files went. */
  deleteSessionAttachments(sessionId: string): number {
    let n = 0;
    let users: string[];
    try {
      users = fs.readdirSync(this.root);
    } catch {
      return 0;
    }
    for (const u of users) {
      const dir = path.join(this.root, u, sessionId);
      if (!fs.existsSync(dir)) continue;
      n += fs.readdirSync(dir).filter((f) => !f.endsWith('.type')).length;
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return n;
  }
}
