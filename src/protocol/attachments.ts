// What a message may carry besides its text: files the user attached. Browser-safe:
// the composer checks types with the same lists the server enforces.

/** Image types the model reads (as image blocks). */
export const IMAGE_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
/** Documents the model reads (as document blocks). */
export const DOCUMENT_MEDIA_TYPES = ['application/pdf'] as const;
/** Text files go inline, as a text block named after the file: any text/* plus these. */
export const TEXT_APPLICATION_TYPES = [
  'application/json',
  'application/xml',
  'application/yaml',
  'application/x-yaml',
  'application/toml',
  'application/javascript',
  'application/typescript',
  'application/x-sh',
  'application/sql',
  'application/graphql',
] as const;

export type AttachmentKind = 'image' | 'document' | 'text';

/** How the model receives a file of this media type; null: not accepted. */
export function attachmentKind(mediaType: string): AttachmentKind | null {
  const t = mediaType.toLowerCase().split(';')[0]?.trim() ?? '';
  if ((IMAGE_MEDIA_TYPES as readonly string[]).includes(t)) return 'image';
  if ((DOCUMENT_MEDIA_TYPES as readonly string[]).includes(t)) return 'document';
  if (/^text\/[\w.+-]+$/.test(t) || (TEXT_APPLICATION_TYPES as readonly string[]).includes(t)) return 'text';
  return null;
}

/** Defaults of the per-file / per-message limits (the server's config may lower or raise them). */
export const ATTACHMENT_DEFAULTS = {
  /** The Messages API refuses images over 5 MB. */
  maxFileMb: 5,
  /** The Messages API refuses requests over 32 MB; base64 (4/3) of 20 MiB plus the conversation stays under it. */
  maxMessageMb: 20,
  /** claude.ai's own per-message limit. */
  maxFiles: 20,
} as const;

/** Bytes of a base64 string once decoded (without decoding it). */
export function base64Bytes(data: string): number {
  const pad = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - pad;
}

/**
 * The largest WebSocket frame the server accepts: a message with every attachment
 * at the per-message limit (base64 is 4/3 of the bytes), plus 1 MiB for the text
 * and the JSON around it. Never unbounded.
 */
export function wsMaxFrameBytes(maxMessageMb: number): number {
  return Math.ceil((maxMessageMb * 1024 * 1024 * 4) / 3) + 1024 * 1024;
}
