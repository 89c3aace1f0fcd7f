// Browser sign-in with an OpenID provider: authorization code flow with PKCE, state and
// nonce, through openid-client (discovery, token exchange, ID token validation). This
// module knows the protocol and the group rules; who the user becomes is the caller's.
import * as client from 'openid-client';
import type { OidcConfig } from '../../config/config.js';
import type { SignInFailure } from '../../protocol/messages.js';

/** What one browser must bring back to finish the sign-in it started. */
export interface PendingSignIn {
  address: string;
  state: string;
  nonce: string;
  codeVerifier: string;
  expiresAt: number;
}

/** The identity the provider vouched for. */
export interface OidcIdentity {
  subject: string;
  name: string;
  groups: string[];
}

/** Why a sign-in did not produce a user: sign_in_expired (no pending sign-in for this browser: no cookie,
 * expired or used), sign_in_failed (a check failed: state, PKCE, ID token; or the user cancelled),
 * not_allowed (not in OIDC_ALLOWED_GROUP), account_disabled. */
export class SignInError extends Error {
  constructor(
    readonly reason: SignInFailure,
    detail: string,
  ) {
    super(detail);
  }
}

/** A pending sign-in lives this long: a login form left open longer starts again. */
const PENDING_MS = 10 * 60_000;
/**
 * Bounds on pending sign-ins (an unauthenticated GET creates one). Per address, a new one drops
 * that address's oldest: a flood only voids its own. Server-wide, once full, new ones are refused
 * rather than anyone's dropped: a flood from many addresses cannot void others' sign-ins either.
 */
export const MAX_PENDING_PER_ADDRESS = 10;
const MAX_PENDING = 10_000;

export class OidcSignIn {
  private discovered: Promise<client.Configuration> | null = null;
  private readonly pending = new Map<string, PendingSignIn>();

  constructor(private readonly config: OidcConfig) {}

  /** Discovery once, retried on the next sign-in if the provider was unreachable. */
  private configuration(): Promise<client.Configuration> {
    if (!this.discovered) {
      const c = this.config;
      const auth = c.clientSecret ? client.ClientSecretPost(c.clientSecret) : client.None();
      // http:// issuers only for a provider on this machine or a private test network; production is https.
      const insecure = new URL(c.issuer).protocol === 'http:';
      this.discovered = client
        .discovery(new URL(c.issuer), c.clientId, undefined, auth, {
          timeout: 10,
          ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
        })
        .catch((e: unknown) => {
          this.discovered = null;
          throw e;
        });
    }
    return this.discovered;
  }

  /**
   * Starts a sign-in from a client address: the provider URL to redirect to, and the key under
   * which its secrets wait. Throws sign_in_busy when the server holds as many as it keeps.
   */
  async begin(address = ''): Promise<{ url: string; key: string }> {
    const config = await this.configuration();
    const p: PendingSignIn = {
      address,
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
      expiresAt: Date.now() + PENDING_MS,
    };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.config.redirectUri,
      scope: this.config.scopes,
      code_challenge: await client.calculatePKCECodeChallenge(p.codeVerifier),
      code_challenge_method: 'S256',
      state: p.state,
      nonce: p.nonce,
    });
    const key = client.randomState();
    this.prune(address);
    if (this.pending.size >= MAX_PENDING) throw new SignInError('sign_in_busy', 'too many sign-ins are in progress');
    this.pending.set(key, p);
    return { url: url.href, key };
  }

  /** Finishes the sign-in the browser holding `key` started (used once), from the callback URL. */
  async finish(key: string | undefined, callbackUrl: URL): Promise<OidcIdentity> {
    const p = key ? this.pending.get(key) : undefined;
    if (key) this.pending.delete(key);
    if (!p || p.expiresAt < Date.now()) throw new SignInError('sign_in_expired', 'no pending sign-in for this browser');
    const providerError = callbackUrl.searchParams.get('error');
    if (providerError) throw new SignInError('sign_in_failed', `the provider answered ${providerError}`);
    const config = await this.configuration();
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: p.codeVerifier,
        expectedState: p.state,
        expectedNonce: p.nonce,
        idTokenExpected: true,
      });
      claims = { ...(tokens.claims() ?? {}) };
      // Providers often keep groups (and sometimes the name) out of the ID token: ask userinfo.
      if (!(this.config.groupsClaim in claims) && config.serverMetadata().userinfo_endpoint) {
        const info = await client.fetchUserInfo(config, tokens.access_token, String(claims.sub));
        claims = { ...info, ...claims };
      }
    } catch (e) {
      throw new SignInError('sign_in_failed', (e as Error).message);
    }
    return this.identityOf(claims);
  }

  identityOf(claims: Record<string, unknown>): OidcIdentity {
    const subject = String(claims.sub ?? '');
    if (!subject) throw new SignInError('sign_in_failed', 'the ID token has no sub');
    const str = (k: string) => (typeof claims[k] === 'string' && claims[k] ? (claims[k] as string) : undefined);
    const name = (str('name') ?? str('preferred_username') ?? str('email') ?? subject).slice(0, 200);
    const raw = claims[this.config.groupsClaim];
    const groups = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(/[\s,]+/).filter(Boolean) : [];
    return { subject, name, groups };
  }

  /** Admin when in OIDC_ADMIN_GROUP; null when roles are managed in the app (no admin group set). */
  roleOf(identity: OidcIdentity): 'admin' | 'member' | null {
    if (!this.config.adminGroup) return null;
    return identity.groups.includes(this.config.adminGroup) ? 'admin' : 'member';
  }

  /** OIDC_ALLOWED_GROUP, when set, admits its members and the admin group's. */
  allowed(identity: OidcIdentity): boolean {
    const { allowedGroup, adminGroup } = this.config;
    if (!allowedGroup) return true;
    return identity.groups.includes(allowedGroup) || (adminGroup !== '' && identity.groups.includes(adminGroup));
  }

  /** Pending sign-ins of an address (for tests and the bound). */
  pendingOf(address: string): number {
    let n = 0;
    for (const p of this.pending.values()) if (p.address === address) n++;
    return n;
  }

  private prune(address: string): void {
    const now = Date.now();
    const mine: string[] = [];
    for (const [k, p] of this.pending) {
      if (p.expiresAt < now) this.pending.delete(k);
      else if (p.address === address) mine.push(k); // in insertion order: oldest first
    }
    while (mine.length >= MAX_PENDING_PER_ADDRESS) this.pending.delete(mine.shift() as string);
  }
}
