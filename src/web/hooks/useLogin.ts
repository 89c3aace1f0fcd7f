// Who this browser is signed in as. The sign-in is a cookie the page cannot read: the page
// asks GET /me, exchanges a key or personal token (typed in, or from a #token= link) for
// the cookie, and signs out with a POST. The WebSocket rides on the same cookie.
import { useCallback, useEffect, useState } from 'react';
import { MeResponse, SignInFailure, SignInStateResponse, SignOutResponse } from '../../protocol/messages';
import { readBootParams } from '../boot';
import { type ApiError, api } from '../rest-client';
import { claimTyped, forgetTyped, KEY_STORAGE, tabStorage } from '../storage';

export type Me = MeResponse;

/** A new object per sign-in: the chat connection starts over when it changes. */
export interface Credentials {
  me: Me;
}

export type LoginStatus = 'checking' | 'signed_out' | 'signed_in';

export interface Login {
  status: LoginStatus;
  credentials: Credentials | null;
  /** How this server signs browsers in (null until known). */
  methods: { oidc: boolean; proxy: boolean } | null;
  error: string | null;
  busy: boolean;
  /** Exchanges the API key or a personal token for a sign-in cookie. */
  connect(token: string): void;
  signOut(): void;
  /** The server refused the socket: find out whether the sign-in ended. */
  recheck(reason: string): void;
}

const FAILURES: Record<SignInFailure, string> = {
  sign_in_expired: 'The sign-in took too long or was started in another browser. Please sign in again.',
  sign_in_failed: 'The identity provider did not sign you in. Please try again.',
  not_allowed: 'Your account is not allowed to use this server. Ask an admin to add you to the right group.',
  account_disabled: 'Your account is disabled. Ask an admin to enable it.',
  provider_unavailable: 'The identity provider cannot be reached right now. Try again in a moment, or sign in with a token.',
  sign_in_busy: 'Too many sign-ins are in progress right now. Try again in a minute.',
};

/** `?signin_error=` from the provider's callback, read once and taken out of the address. */
function takeSignInError(): string | null {
  const url = new URL(window.location.href);
  const raw = url.searchParams.get('signin_error');
  if (raw === null) return null;
  url.searchParams.delete('signin_error');
  window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  const code = SignInFailure.safeParse(raw);
  return code.success ? FAILURES[code.data] : FAILURES.sign_in_failed;
}

export function useLogin(): Login {
  const [status, setStatus] = useState<LoginStatus>('checking');
  const [credentials, setCredentials] = useState<Credentials | null>(null);
  const [methods, setMethods] = useState<Login['methods']>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const signedIn = useCallback((me: Me) => {
    // Drafts and queued messages kept in this browser are this user's only (before the box reads them).
    claimTyped(me.user_id);
    setCredentials({ me });
    setError(null);
    setStatus('signed_in');
  }, []);
  const signedOut = useCallback((why: string | null) => {
    setCredentials(null);
    setError(why);
    setStatus('signed_out');
  }, []);

  const connect = useCallback(
    (token: string) => {
      setBusy(true);
      api(MeResponse, 'POST', '/api/v1/auth/session', { token })
        .then(signedIn, (e: ApiError) => signedOut(e.message))
        .finally(() => {
          // The key leaves the tab: from here on the cookie is the sign-in.
          tabStorage()?.removeItem(KEY_STORAGE);
          setBusy(false);
        });
    },
    [signedIn, signedOut],
  );

  const check = useCallback(
    (whyIfOut: string | null) =>
      api(SignInStateResponse, 'GET', '/api/v1/auth/session').then(
        (s) => {
          setMethods({ oidc: s.oidc, proxy: s.proxy });
          if (s.user) signedIn(s.user);
          else signedOut(whyIfOut);
        },
        (e: ApiError) => signedOut(e.message),
      ),
    [signedIn, signedOut],
  );

  useEffect(() => {
    const refused = takeSignInError();
    // A key from a #token= link (boot.ts kept it for this tab) or an older page is exchanged for the cookie.
    const key = tabStorage()?.getItem(KEY_STORAGE);
    if (key) connect(key);
    else void check(refused);
    // What the sign-in page offers is needed whichever way this goes.
    if (key)
      api(SignInStateResponse, 'GET', '/api/v1/auth/session').then(
        (s) => setMethods({ oidc: s.oidc, proxy: s.proxy }),
        () => undefined,
      );
  }, [connect, check]);

  const signOut = useCallback(() => {
    // The next person on this browser must not find what was typed here.
    forgetTyped();
    api(SignOutResponse, 'POST', '/api/v1/auth/sign-out')
      .catch(() => undefined)
      .finally(() => signedOut(null));
  }, [signedOut]);

  // Only a 401 signs out here: a sign-in that still holds keeps the page (no reconnect loop).
  const recheck = useCallback(
    (reason: string) =>
      void api(SignInStateResponse, 'GET', '/api/v1/auth/session').then(
        (s) => s.user === null && signedOut(`Your sign-in has ended (${reason}). Please sign in again.`),
        () => undefined,
      ),
    [signedOut],
  );

  // A #token= link opened in this tab while the chat is open changes only the fragment.
  useEffect(() => {
    const onHash = () => {
      const { token } = readBootParams();
      if (token) connect(token);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [connect]);

  return { status, credentials, methods, error, busy, connect, signOut, recheck };
}
