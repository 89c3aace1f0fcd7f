// A real OpenID provider (oidc-provider, certified) on loopback for the sign-in tests. Its
// development login form accepts any login and password; the login picks the account.
// Consent is granted by itself, as a company's provider does for its own applications.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface IdpAccount {
  name: string;
  groups: string[];
}

export interface Idp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

export async function startIdp(opts: { redirectUris: string[]; accounts: Record<string, IdpAccount> }): Promise<Idp> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'csp-test';
  const clientSecret = 'csp-test-secret-0123456789';
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: opts.redirectUris, grant_types: ['authorization_code'] }],
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], groups: ['groups'] },
    scopes: ['openid', 'profile', 'groups'],
    // Explicit lifetimes (the defaults print a notice each).
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
    async findAccount(_ctx: unknown, id: string) {
      const a = opts.accounts[id] ?? { name: id, groups: [] };
      return { accountId: id, claims: async () => ({ sub: id, name: a.name, preferred_username: id, groups: a.groups }) };
    },
    // biome-ignore lint/suspicious/noExplicitAny: oidc-provider ships no types; its ctx is documented in its README
    async loadExistingGrant(ctx: any) {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid profile groups');
      await grant.save();
      return grant;
    },
  });
  const handle = provider.callback();
  server.on('request', (req, res) => {
    // Browsers ask every origin for a favicon; a 404 would be logged as a console error.
    if (req.url === '/favicon.ico') res.writeHead(204).end();
    else handle(req, res);
  });
  return {
    issuer,
    clientId,
    clientSecret,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
