// REST calls of the agent controls (models, commands, fork, rewind): the key in the
// X-API-Key header like every API call; a failure becomes an Error with the server's message.
import { ErrorBody } from '../protocol/messages';

export async function apiCall<T>(key: string | null, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const r = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: { ...(key ? { 'X-API-Key': key } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const json: unknown = await r.json().catch(() => null);
  if (!r.ok) {
    const e = ErrorBody.safeParse(json);
    throw new Error(e.success ? e.data.message : `Request failed (${r.status})`);
  }
  return json as T;
}
