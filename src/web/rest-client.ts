// The page's one REST client: same-origin fetches that carry the sign-in cookie (the page holds no key),
// every JSON answer checked against the protocol's schema for it, errors in the table's shape.
import type { z } from 'zod';
import { ErrorBody } from '../protocol/messages';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  if (res.ok) return res;
  const err = ErrorBody.safeParse(await res.json().catch(() => null));
  throw new ApiError(
    res.status,
    err.success ? err.data.error : 'http',
    err.success ? err.data.message : `The server answered ${res.status}`,
  );
}

/** Calls a route and parses its answer with `schema`; a non-2xx answer throws ApiError with the server's message. */
export async function api<S extends z.ZodType>(
  schema: S,
  method: string,
  path: string,
  body?: unknown,
  signal?: AbortSignal,
): Promise<z.infer<S>> {
  const res = await request(method, path, body, signal);
  const parsed = schema.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new ApiError(res.status, 'bad_answer', 'The server sent an answer this page does not understand. Reload it.');
  return parsed.data;
}

/** A file the server sends (an export): its bytes and the name the server gave it. */
export async function download(path: string, fallbackName: string): Promise<{ blob: Blob; filename: string }> {
  const res = await request('GET', path);
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
  return { blob: await res.blob(), filename: name ?? fallbackName };
}
