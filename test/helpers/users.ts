// Team users for tests: an admin (the harness's API key) creates a user through the API and
// gets its first token; the returned handle calls REST and opens WebSockets as that user.
// Use it in any test of a session operation to check that another user gets session_not_found.
import assert from 'node:assert/strict';
import type { Role } from '../../src/protocol/messages.js';
import type { Harness } from './harness.js';
import { TestClient } from './ws-client.js';

export interface TestUser {
  user_id: string;
  name: string;
  role: Role;
  /** The user's first API token (`csp_...`). */
  token: string;
  // biome-ignore lint/suspicious/noExplicitAny: REST bodies are untyped JSON that tests check field by field
  api(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** A WebSocket as this user, past its first frame (session_list); closed by close(). */
  client(): Promise<TestClient>;
  close(): Promise<void>;
}

/** Creates a user (member unless told) with the bootstrap admin key. */
export async function createUser(h: Harness, name: string, role: Role = 'member'): Promise<TestUser> {
  const r = await h.api('POST', '/api/v1/users', { name, role });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const token = r.body.token as string;
  const clients: TestClient[] = [];
  return {
    user_id: r.body.user_id,
    name,
    role,
    token,
    api: (method, p, body) => h.api(method, p, body, token),
    async client() {
      const c = await TestClient.connect(h.wsUrl, token);
      clients.push(c);
      await c.next('session_list');
      return c;
    },
    async close() {
      for (const c of clients) await c.close();
    },
  };
}
