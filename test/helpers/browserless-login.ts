// Walks an OpenID provider's development login form with fetch, as a browser would
// (cookies kept per origin, redirects followed by hand), up to the redirect back to
// the relying party. For server tests; the e2e tests use a real browser.

type Jar = Map<string, Map<string, string>>;

function store(jar: Jar, url: string, res: Response): void {
  const origin = new URL(url).origin;
  const cookies = jar.get(origin) ?? new Map<string, string>();
  for (const c of res.headers.getSetCookie()) {
    const [pair = ''] = c.split(';');
    const i = pair.indexOf('=');
    cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1));
  }
  jar.set(origin, cookies);
}

const cookieHeader = (jar: Jar, url: string) =>
  [...(jar.get(new URL(url).origin) ?? new Map()).entries()].map(([k, v]) => `${k}=${v}`).join('; ');

/** From the provider's authorization URL to the URL it sends the browser back to (the callback with code and state). */
export async function loginAtProvider(authUrl: string, login: string, stopAt: string): Promise<string> {
  const jar: Jar = new Map();
  let url = authUrl;
  let method = 'GET';
  let body: string | undefined;
  for (let i = 0; i < 20; i++) {
    if (url.startsWith(stopAt)) return url;
    const res = await fetch(url, {
      method,
      redirect: 'manual',
      headers: { cookie: cookieHeader(jar, url), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
    });
    store(jar, url, res);
    const location = res.headers.get('location');
    if (location) {
      url = new URL(location, url).href;
      method = 'GET';
      body = undefined;
      continue;
    }
    const html = await res.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form and no redirect at ${url} (${res.status}): ${html.slice(0, 300)}`);
    const isLogin = html.includes('name="login"');
    url = new URL(action.replace(/&amp;/g, '&'), url).href;
    method = 'POST';
    body = isLogin ? new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString() : 'prompt=consent';
  }
  throw new Error('too many steps at the provider');
}
