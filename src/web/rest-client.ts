// The REST API as the signed-in browser uses it: same-origin fetches that carry the sign-in
// cookie, answers checked against the shared protocol schemas, errors in the table's shape.
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

/** Calls a route and parses its answer with `schema`; a non-2xx answer throws ApiError with the server's message. */
export async function api<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown): Promise<z.infer<S>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  const json: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = ErrorBody.safeParse(json);
    throw new ApiError(
      res.status,
      err.success ? err.data.error : 'http',
      err.success ? err.data.message : `The server answered ${res.status}`,
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError(res.status, 'bad_answer', 'The server sent an answer this page does not understand. Reload it.');
  return parsed.data;
}
