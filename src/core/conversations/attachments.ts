// Files attached to a message: checked against the limits and their declared type, then
// turned into the content blocks the model reads (image, document, or the text inline).
// Each file is announced by a text block that names it, so the model can refer to it by
// name and history can show the file again from the CLI's transcript.

import { type AttachmentKind, attachmentKind, base64Bytes, type IMAGE_MEDIA_TYPES } from '../../protocol/attachments.js';
import { PlatformError } from '../../protocol/errors.js';
import type { Attachment, AttachmentRef } from '../../protocol/messages.js';

export interface AttachmentLimits {
  maxFileBytes: number;
  maxMessageBytes: number;
  maxFiles: number;
}

/** A content block of the Messages API user message (the subset we send). */
export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'image'; source: { type: 'base64'; media_type: (typeof IMAGE_MEDIA_TYPES)[number]; data: string } }
  | { type: 'document'; source: { type: 'base64'; media_type: 'application/pdf'; data: string }; title?: string };

export interface PreparedMessage {
  text: string;
  /** Content blocks after the text, or empty for a text-only message (sent as a string: slash commands work only there). */
  blocks: ContentBlock[];
  refs: AttachmentRef[];
}

const MB = 1024 * 1024;
const mb = (n: number) => `${(n / MB).toFixed(n < 10 * MB ? 1 : 0)} MB`;

/** Magic numbers: a file must be what its media type says, or the model API refuses the whole request. */
const SIGNATURES: Record<string, (b: Buffer) => boolean> = {
  'image/png': (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/jpeg': (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff,
  'image/gif': (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')),
  'image/webp': (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP',
  'application/pdf': (b) => b.subarray(0, 5).toString('latin1') === '%PDF-',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

const escapeAttr = (s: string) =>
  s
    .replace(/[\r\n\t]/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
const unescapeAttr = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The text block that names a binary file (the image or document block follows it). */
export const markerText = (name: string, mediaType: string) =>
  `<attachment name="${escapeAttr(name)}" media_type="${escapeAttr(mediaType)}" />`;
/** A text file, inline. */
export const inlineText = (name: string, mediaType: string, text: string) =>
  `<attachment name="${escapeAttr(name)}" media_type="${escapeAttr(mediaType)}">\n${text}\n</attachment>`;

// The CLI may add a newline after the last block of a message.
const MARKER_RE = /^<attachment name="([^"]*)" media_type="([^"]*)" \/>\s*$/;
const INLINE_RE = /^<attachment name="([^"]*)" media_type="([^"]*)">\n([\s\S]*)\n<\/attachment>\s*$/;

/**
 * Checks every attachment and builds the blocks. Throws `attachment_too_large` or
 * `unsupported_attachment` naming the file, before anything is sent.
 */
export function prepareMessage(text: string, attachments: Attachment[] | undefined, limits: AttachmentLimits): PreparedMessage {
  const list = attachments ?? [];
  if (list.length === 0) return { text, blocks: [], refs: [] };
  if (list.length > limits.maxFiles)
    throw new PlatformError(
      'attachment_too_large',
      `A message can carry at most ${limits.maxFiles} attachments (this one has ${list.length})`,
    );
  let total = 0;
  const kinds: AttachmentKind[] = [];
  for (const a of list) {
    const kind = attachmentKind(a.media_type);
    if (!kind)
      throw new PlatformError(
        'unsupported_attachment',
        `${a.name}: ${a.media_type} is not supported (images: PNG, JPEG, GIF, WebP; PDF; text files)`,
      );
    kinds.push(kind);
    const size = base64Bytes(a.data);
    if (size > limits.maxFileBytes)
      throw new PlatformError('attachment_too_large', `${a.name} is ${mb(size)}; the limit is ${mb(limits.maxFileBytes)} per file`);
    total += size;
  }
  if (total > limits.maxMessageBytes)
    throw new PlatformError(
      'attachment_too_large',
      `The attachments total ${mb(total)}; the limit is ${mb(limits.maxMessageBytes)} per message`,
    );
  const blocks: ContentBlock[] = [];
  const refs: AttachmentRef[] = [];
  list.forEach((a, i) => {
    const kind = kinds[i] as AttachmentKind;
    const mediaType = a.media_type.toLowerCase().split(';')[0]?.trim() ?? a.media_type;
    const bytes = Buffer.from(a.data, 'base64');
    if (kind === 'text') {
      let content: string;
      try {
        content = utf8.decode(bytes);
      } catch {
        throw new PlatformError('unsupported_attachment', `${a.name} is not UTF-8 text`);
      }
      if (content.includes('\0')) throw new PlatformError('unsupported_attachment', `${a.name} is not UTF-8 text`);
      blocks.push({ type: 'text', text: inlineText(a.name, mediaType, content) });
    } else {
      if (!SIGNATURES[mediaType]?.(bytes)) throw new PlatformError('unsupported_attachment', `${a.name} is not a valid ${mediaType} file`);
      blocks.push({ type: 'text', text: markerText(a.name, mediaType) });
      blocks.push(
        kind === 'image'
          ? { type: 'image', source: { type: 'base64', media_type: mediaType as (typeof IMAGE_MEDIA_TYPES)[number], data: a.data } }
          : { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: a.data }, title: a.name },
      );
    }
    refs.push({ name: a.name, media_type: mediaType, size: bytes.length });
  });
  return { text, blocks, refs };
}

interface TranscriptBlock {
  type: string;
  text?: string;
  source?: { type?: string; media_type?: string; data?: string };
}

/** Whether a transcript text block is one of ours (an attachment, not the user's words). */
export function isAttachmentText(text: string): boolean {
  return MARKER_RE.test(text) || INLINE_RE.test(text);
}

/**
 * The attachments of a stored user message, read back from its content blocks.
 * Each ref's id is `<message uuid>.<block index>`: the block holding its content.
 */
export function attachmentRefs(uuid: string | undefined, blocks: TranscriptBlock[]): AttachmentRef[] {
  const out: AttachmentRef[] = [];
  blocks.forEach((b, i) => {
    if (b.type !== 'text' || !b.text) return;
    const id = (n: number) => (uuid ? { id: `${uuid}.${n}` } : {});
    const inline = b.text.match(INLINE_RE);
    if (inline) {
      out.push({
        name: unescapeAttr(inline[1] ?? ''),
        media_type: unescapeAttr(inline[2] ?? ''),
        size: Buffer.byteLength(inline[3] ?? ''),
        ...id(i),
      });
      return;
    }
    const marker = b.text.match(MARKER_RE);
    const next = blocks[i + 1];
    if (marker && (next?.type === 'image' || next?.type === 'document') && typeof next.source?.data === 'string')
      out.push({
        name: unescapeAttr(marker[1] ?? ''),
        media_type: unescapeAttr(marker[2] ?? ''),
        size: base64Bytes(next.source.data),
        ...id(i + 1),
      });
  });
  return out;
}

/**
 * The refs of a message being sent, with the ids it is kept under (`<message uuid>.<block index>`, the
 * text at 0 as the store saves it): a page reloaded during the turn can fetch its files (thumbnails, Retry).
 */
export function refsWithIds(p: PreparedMessage, messageId: string): AttachmentRef[] {
  const ids = attachmentRefs(messageId, [{ type: 'text', text: '' }, ...p.blocks] as TranscriptBlock[]).map((r) => r.id);
  return p.refs.map((r, i) => (ids[i] ? { ...r, id: ids[i] } : r));
}

/** The bytes of one stored attachment block (image, document or inline text), with its media type. */
export function attachmentContent(block: TranscriptBlock | undefined): { mediaType: string; bytes: Buffer } | null {
  if (!block) return null;
  if ((block.type === 'image' || block.type === 'document') && block.source?.type === 'base64' && typeof block.source.data === 'string')
    return { mediaType: block.source.media_type ?? 'application/octet-stream', bytes: Buffer.from(block.source.data, 'base64') };
  const inline = block.type === 'text' ? block.text?.match(INLINE_RE) : null;
  if (inline) return { mediaType: 'text/plain; charset=utf-8', bytes: Buffer.from(inline[3] ?? '') };
  return null;
}
