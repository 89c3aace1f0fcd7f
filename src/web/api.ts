// The REST calls the page makes (search, rename, export), authenticated by the sign-in
// cookie (or a key in the X-API-Key header when one is given): never in a URL. Answers are checked against the protocol's schemas.
import { ErrorBody, type SessionListItem, SessionListResponse, SessionSummary } from '../protocol/messages';

export type ExportFormat = 'markdown' | 'json';

export interface Api {
  search(q: string, signal?: AbortSignal): Promise<SessionListItem[]>;
  rename(sessionId: string, title: string): Promise<SessionSummary>;
  /** The export as a file to save: its content and the name the server gave it. */
  exportFile(sessionId: string, format: ExportFormat): Promise<{ blob: Blob; filename: string }>;
}

async function failure(res: Response): Promise<Error> {
  try {
    const body = ErrorBody.parse(await res.json());
    return new Error(body.message);
  } catch {
    return new Error(`The server answered ${res.status}`);
  }
}

export function makeApi(key: string | null = null): Api {
  const call = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(path, {
      ...init,
      credentials: 'same-origin',
      headers: { ...(key ? { 'X-API-Key': key } : {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
    });
    if (!res.ok) throw await failure(res);
    return res;
  };
  return {
    async search(q, signal) {
      const res = await call(`/api/v1/sessions?q=${encodeURIComponent(q)}&limit=50`, { signal });
      return SessionListResponse.parse(await res.json()).sessions;
    },
    async rename(sessionId, title) {
      const res = await call(`/api/v1/sessions/${sessionId}`, { method: 'PATCH', body: JSON.stringify({ title }) });
      return SessionSummary.parse(await res.json());
    },
    async exportFile(sessionId, format) {
      const res = await call(`/api/v1/sessions/${sessionId}/export?format=${format}`);
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
      return { blob: await res.blob(), filename: name ?? `session.${format === 'json' ? 'json' : 'md'}` };
    },
  };
}

/** Saves a blob as a download (an object URL on a temporary link). */
export function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
