// The workspace routes as the page uses them (the sign-in cookie authenticates; answers checked
// against the protocol's schemas). Downloads are plain links: the browser streams them to disk.
import { ChangesResponse, DiffResponse, FileListResponse } from '../protocol/workspace';
import { ApiError, api } from './rest-client';

const base = (sessionId: string) => `/api/v1/sessions/${encodeURIComponent(sessionId)}`;
const q = encodeURIComponent;

export const workspaceApi = {
  list: (sessionId: string, path: string, offset = 0) =>
    api(FileListResponse, 'GET', `${base(sessionId)}/files?path=${q(path)}${offset ? `&offset=${offset}` : ''}`),
  changes: (sessionId: string) => api(ChangesResponse, 'GET', `${base(sessionId)}/changes`),
  diff: (sessionId: string, path: string) => api(DiffResponse, 'GET', `${base(sessionId)}/changes/diff?path=${q(path)}`),
  downloadUrl: (sessionId: string, path: string) => `${base(sessionId)}/files/content?path=${q(path)}&download=1`,
  archiveUrl: (sessionId: string, path: string) => `${base(sessionId)}/files/archive?path=${q(path)}`,
  /** A file to show: an image as a blob, text as a string, anything else as neither. */
  async content(
    sessionId: string,
    path: string,
  ): Promise<{ kind: 'image'; blob: Blob } | { kind: 'text'; text: string } | { kind: 'binary' }> {
    let res: Response;
    try {
      res = await fetch(`${base(sessionId)}/files/content?path=${q(path)}`, { credentials: 'same-origin' });
    } catch {
      throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: string; message?: string } | null;
      throw new ApiError(res.status, body?.error ?? 'http', body?.message ?? `The server answered ${res.status}`);
    }
    const type = res.headers.get('content-type') ?? '';
    if (type.startsWith('image/')) return { kind: 'image', blob: await res.blob() };
    if (type.startsWith('text/')) return { kind: 'text', text: await res.text() };
    return { kind: 'binary' };
  },
};

/** An absolute path as its last folder (`…/project`): the header has room for little more. */
export function shortPath(p: string): string {
  const parts = p.split('/').filter(Boolean);
  return parts.length <= 1 ? p : `…/${parts[parts.length - 1]}`;
}

/** A file size in the units people read (B, KB, MB). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
