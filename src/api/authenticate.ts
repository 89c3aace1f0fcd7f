// Who is calling, for REST and WebSocket alike: an ordered list of authenticators, the
// first that recognises the request wins. Each looks at one kind of credential (the API
// key or a personal token in a header; a sign-in cookie; a trusted proxy's header) and
// asks core for the principal. The answer is kept on the request, so a request is
// authenticated once whatever asks.
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../core/identity/principal.js';
import type { UserService } from '../core/identity/users.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** undefined: not looked at yet; null: no valid credential. */
    principal?: Principal | null;
  }
}

/** Recognises one kind of credential: the principal, or null when this request does not carry it (or it is invalid). */
export type Authenticator = (req: FastifyRequest) => Principal | null | Promise<Principal | null>;

export class Authentication {
  private readonly chain: Authenticator[] = [];

  /** Adds an authenticator, tried after the ones before it (or before all with `first`). */
  use(a: Authenticator, opts: { first?: boolean } = {}): this {
    if (opts.first) this.chain.unshift(a);
    else this.chain.push(a);
    return this;
  }

  async principalOf(req: FastifyRequest): Promise<Principal | null> {
    if (req.principal !== undefined) return req.principal;
    let p: Principal | null = null;
    for (const a of this.chain) {
      p = await a(req);
      if (p) break;
    }
    req.principal = p;
    return p;
  }
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  return typeof h === 'string' && /^Bearer /i.test(h) ? h.slice(7).trim() : undefined;
}

/**
 * The secret a request carries, wherever the API key goes: `X-API-Key`, `Authorization: Bearer`,
 * or (WebSocket upgrades only, as browsers cannot set headers there) `?api_key=`.
 */
export function secretOf(req: FastifyRequest): string | undefined {
  const h = req.headers['x-api-key'];
  if (typeof h === 'string') return h;
  const b = bearer(req);
  if (b !== undefined) return b;
  if (req.ws) {
    const q = (req.query as Record<string, unknown> | undefined)?.api_key;
    if (typeof q === 'string') return q;
  }
  return undefined;
}

/** The bootstrap API key or a personal token, from the headers (or the WebSocket URL). */
export const secretAuthenticator =
  (users: Pick<UserService, 'principalForSecret'>): Authenticator =>
  (req) => {
    const s = secretOf(req);
    return s === undefined ? null : users.principalForSecret(s);
  };
