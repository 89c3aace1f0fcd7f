// The page's one REST client: answers are parsed with the protocol's schema, errors carry the server's
// message, and no key travels (the sign-in cookie authenticates).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelsResponse } from '../protocol/messages';
import { ApiError, api, download } from './rest-client';

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers });
}

describe('rest-client', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('parses an answer with the schema and sends no key, only the cookie', async () => {
    const fetch = vi.fn(async () => answer(200, { models: [{ value: 'm', display_name: 'M', description: '' }] }));
    vi.stubGlobal('fetch', fetch);
    const r = await api(ModelsResponse, 'GET', '/api/v1/models');
    expect(r.models[0]?.value).toBe('m');
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect(init.credentials).toBe('same-origin');
    expect(JSON.stringify(init.headers ?? {})).not.toMatch(/api-key/i);
  });

  it('an answer the schema refuses is an error, not data', async () => {
    vi.stubGlobal('fetch', async () => answer(200, { models: 'nope' }));
    await expect(api(ModelsResponse, 'GET', '/api/v1/models')).rejects.toMatchObject({ code: 'bad_answer' });
  });

  it('a refusal carries the table code and the server message', async () => {
    vi.stubGlobal('fetch', async () => answer(404, { error: 'not_found', message: 'Session not found' }));
    const e = await api(ModelsResponse, 'GET', '/x').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 404, code: 'not_found', message: 'Session not found' });
  });

  it('download: the bytes and the name the server gave; a refusal is an ApiError too', async () => {
    vi.stubGlobal('fetch', async () => answer(200, 'hello', { 'content-disposition': 'attachment; filename="s.md"' }));
    const f = await download('/api/v1/sessions/x/export', 'fallback.md');
    expect(f.filename).toBe('s.md');
    expect(await f.blob.text()).toBe('hello');
    vi.stubGlobal('fetch', async () => answer(403, { error: 'forbidden', message: 'This needs the admin role' }));
    await expect(download('/x', 'y')).rejects.toMatchObject({ code: 'forbidden' });
  });
});
