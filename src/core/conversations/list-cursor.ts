// The session list's page cursor: opaque to clients (base64url of the last row's order key).
import type { ListCursor } from '../../db/ports.js';
import { PlatformError } from '../../protocol/errors.js';

export function encodeCursor(c: ListCursor): string {
  return Buffer.from(JSON.stringify([c.last_active_at, c.session_id])).toString('base64url');
}

/** The cursor, or invalid_message for anything this server did not hand out. */
export function decodeCursor(s: string): ListCursor {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 2 &&
      typeof v[0] === 'string' &&
      typeof v[1] === 'string' &&
      v[0].length <= 64 &&
      v[1].length <= 64
    )
      return { last_active_at: v[0], session_id: v[1] };
  } catch {
    /* below */
  }
  throw new PlatformError('invalid_message', 'Invalid cursor');
}
