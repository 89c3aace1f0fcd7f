// Files the user attaches in the composer: read as base64, typed, checked against the
// limits before sending (the server checks again; a server set lower answers with an error
// and the composer gets the files back).
import { ATTACHMENT_DEFAULTS, attachmentKind } from '../protocol/attachments';
import type { Attachment } from '../protocol/messages';

export interface PendingAttachment extends Attachment {
  key: string;
  size: number;
  /** blob: URL of an image, for its thumbnail (revoked when removed). */
  url: string | null;
}

/** What the transcript shows of an attachment: the browser's own copy, or the server's by id. */
export interface AttachmentView {
  name: string;
  media_type: string;
  size: number;
  localUrl?: string;
  remote?: { sessionId: string; id: string };
}

/** Browsers leave `type` empty for most code files: these are text. */
const TEXT_EXTENSIONS =
  /\.(txt|md|markdown|ts|tsx|js|jsx|mjs|cjs|json|jsonc|ya?ml|toml|ini|cfg|conf|env|sh|bash|zsh|py|rb|go|rs|java|kt|kts|swift|c|h|cc|cpp|hpp|cs|php|sql|graphql|gql|css|scss|less|html?|xml|svg?|csv|tsv|log|diff|patch|lock|gitignore|dockerfile)$/i;

export function mediaTypeOf(file: { name: string; type: string }): string {
  if (file.type === 'image/svg+xml') return file.type; // refused: an SVG can carry script
  if (file.type && attachmentKind(file.type)) return file.type;
  if (TEXT_EXTENSIONS.test(file.name) || /^(Dockerfile|Makefile|README|LICENSE)$/i.test(file.name)) return 'text/plain';
  return file.type || 'application/octet-stream';
}

const MB = 1024 * 1024;
const mb = (n: number) => `${(n / MB).toFixed(n < 10 * MB ? 1 : 0)} MB`;

/** The problem with adding these files to those already attached, in the server's words; null when fine. */
export function checkAttachments(list: { name: string; media_type: string; size: number }[]): string | null {
  const limits = ATTACHMENT_DEFAULTS;
  if (list.length > limits.maxFiles) return `A message can carry at most ${limits.maxFiles} attachments (this one has ${list.length})`;
  for (const a of list) {
    if (!attachmentKind(a.media_type)) return `${a.name}: ${a.media_type} is not supported (images: PNG, JPEG, GIF, WebP; PDF; text files)`;
    if (a.size > limits.maxFileMb * MB) return `${a.name} is ${mb(a.size)}; the limit is ${mb(limits.maxFileMb * MB)} per file`;
  }
  const total = list.reduce((n, a) => n + a.size, 0);
  if (total > limits.maxMessageMb * MB)
    return `The attachments total ${mb(total)}; the limit is ${mb(limits.maxMessageMb * MB)} per message`;
  return null;
}

/** Why one file cannot join those already attached, in the server's words; null when it can. */
function refusalOf(a: { name: string; media_type: string; size: number }, kept: { size: number }[]): string | null {
  const limits = ATTACHMENT_DEFAULTS;
  if (!attachmentKind(a.media_type)) return `${a.name}: ${a.media_type} is not supported (images: PNG, JPEG, GIF, WebP; PDF; text files)`;
  if (a.size > limits.maxFileMb * MB) return `${a.name} is ${mb(a.size)}; the limit is ${mb(limits.maxFileMb * MB)} per file`;
  if (kept.length + 1 > limits.maxFiles) return `${a.name}: a message can carry at most ${limits.maxFiles} attachments`;
  const total = kept.reduce((n, k) => n + k.size, a.size);
  if (total > limits.maxMessageMb * MB)
    return `${a.name}: the attachments would total ${mb(total)}; the limit is ${mb(limits.maxMessageMb * MB)} per message`;
  return null;
}

/** Splits a batch of files: those that fit beside the ones attached, and each refused one with its reason. */
export function partitionAttachments<T extends { name: string; media_type: string; size: number }>(
  attached: { size: number }[],
  incoming: T[],
): { accepted: T[]; refused: string[] } {
  const kept = [...attached];
  const accepted: T[] = [];
  const refused: string[] = [];
  for (const a of incoming) {
    const why = refusalOf(a, kept);
    if (why) refused.push(why);
    else {
      accepted.push(a);
      kept.push(a);
    }
  }
  return { accepted, refused };
}

export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => {
      const s = String(r.result);
      resolve(s.slice(s.indexOf(',') + 1));
    };
    r.onerror = () => reject(r.error ?? new Error('read failed'));
    r.readAsDataURL(file);
  });
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < MB) return `${Math.round(bytes / 1024)} KB`;
  return mb(bytes);
}
