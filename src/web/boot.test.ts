// The key arrives in the printed link's fragment and leaves the address bar at once.
import { afterEach, describe, expect, it } from 'vitest';
import { readBootParams } from './boot';
import { KEY_STORAGE } from './storage';

function open(path: string): void {
  window.history.replaceState(null, '', path);
}

describe('readBootParams', () => {
  afterEach(() => {
    window.sessionStorage.clear();
    open('/');
  });

  it('takes the key from #token= and removes it from the address', () => {
    open('/chat#token=k%2Fey-123');
    const lengthBefore = window.history.length;
    expect(readBootParams()).toEqual({ token: 'k/ey-123', resume: null });
    expect(window.sessionStorage.getItem(KEY_STORAGE)).toBe('k/ey-123');
    expect(window.location.pathname + window.location.search + window.location.hash).toBe('/chat');
    expect(window.history.length).toBe(lengthBefore); // replaced, not a new history entry
  });

  it('still accepts a legacy ?token= link, and reads ?resume=', () => {
    open('/chat?token=legacy-key&resume=abc');
    expect(readBootParams()).toEqual({ token: 'legacy-key', resume: 'abc' });
    expect(window.sessionStorage.getItem(KEY_STORAGE)).toBe('legacy-key');
    expect(window.location.href).not.toContain('legacy-key');
    expect(window.location.search).toBe('');
  });

  it('keeps other fragment parameters and leaves a plain address alone', () => {
    open('/chat#token=k&x=1');
    readBootParams();
    expect(window.location.hash).toBe('#x=1');
    open('/chat#notes');
    readBootParams();
    expect(window.location.hash).toBe('#notes');
    expect(window.sessionStorage.getItem(KEY_STORAGE)).toBe('k');
  });
});
