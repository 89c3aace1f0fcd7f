// The WebSocket's Origin check. (Credentials: authenticate.ts and core/identity/users.ts.)

/** Origin policy for the WebSocket: same origin, a listed origin, or no Origin at all (non-browser clients). */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: string[]): boolean {
  if (!origin) return true;
  if (allowed.includes('*') || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
