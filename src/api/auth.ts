// API key checks, shared by REST and WebSocket. Constant-time comparison.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

export function keyMatches(given: unknown, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0 || given.length > 256) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

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
