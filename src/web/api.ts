// The session calls the page makes over REST (search, rename, export), on the one REST client.
import { PurgeSessionResponse, type SessionListItem, SessionListResponse, SessionSummary } from '../protocol/messages';
import { api, download } from './rest-client';

export type ExportFormat = 'markdown' | 'json';

export interface Api {
  search(q: string, signal?: AbortSignal): Promise<SessionListItem[]>;
  rename(sessionId: string, title: string): Promise<SessionSummary>;
  /** The export as a file to save: its content and the name the server gave it. */
  exportFile(sessionId: string, format: ExportFormat): Promise<{ blob: Blob; filename: string }>;
  archive(sessionId: string): Promise<SessionSummary>;
  unarchive(sessionId: string): Promise<SessionSummary>;
  /** Deletes for good (the process, the conversation, its files). */
  remove(sessionId: string): Promise<void>;
  archived(): Promise<SessionListItem[]>;
}

export const sessionApi: Api = {
  search: async (q, signal) =>
    (await api(SessionListResponse, 'GET', `/api/v1/sessions?q=${encodeURIComponent(q)}&limit=50`, undefined, signal)).sessions,
  rename: (sessionId, title) => api(SessionSummary, 'PATCH', `/api/v1/sessions/${sessionId}`, { title }),
  exportFile: (sessionId, format) =>
    download(`/api/v1/sessions/${sessionId}/export?format=${format}`, `session.${format === 'json' ? 'json' : 'md'}`),
  archive: (sessionId) => api(SessionSummary, 'POST', `/api/v1/sessions/${sessionId}/archive`),
  unarchive: (sessionId) => api(SessionSummary, 'POST', `/api/v1/sessions/${sessionId}/unarchive`),
  remove: async (sessionId) => void (await api(PurgeSessionResponse, 'POST', `/api/v1/sessions/${sessionId}/delete`)),
  archived: async () => (await api(SessionListResponse, 'GET', '/api/v1/sessions?archived=true&limit=200')).sessions,
};

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
