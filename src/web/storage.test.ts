// What the page keeps for the person typing, and that it stays theirs.
import { afterEach, describe, expect, it } from 'vitest';
import { claimTyped, DRAFTS_STORAGE, forgetTyped, keepQueued, QUEUED_STORAGE, takeQueued } from './storage';

afterEach(() => {
  localStorage.clear();
  sessionStorage.clear();
});

describe('what is typed and not sent', () => {
  it('another user signing in on this browser starts without the last one’s drafts; the same user keeps them', () => {
    claimTyped('alice');
    localStorage.setItem(DRAFTS_STORAGE, JSON.stringify({ s1: 'alice typed this' }));
    claimTyped('alice');
    expect(localStorage.getItem(DRAFTS_STORAGE)).toContain('alice typed this');
    keepQueued({ s1: [{ text: 'queued by alice', files: [] }] });
    claimTyped('bob');
    expect(localStorage.getItem(DRAFTS_STORAGE)).toBeNull();
    expect(sessionStorage.getItem(QUEUED_STORAGE)).toBeNull();
  });

  it('sign-out forgets drafts and the queue', () => {
    claimTyped('alice');
    localStorage.setItem(DRAFTS_STORAGE, JSON.stringify({ s1: 'draft' }));
    keepQueued({ s1: [{ text: 'queued', files: ['a.png'] }] });
    forgetTyped();
    expect(localStorage.getItem(DRAFTS_STORAGE)).toBeNull();
    expect(takeQueued()).toEqual({});
  });

  it('the queue kept for a reload is taken once, and what does not parse is dropped', () => {
    keepQueued({ s1: [{ text: 'one', files: ['a.png'] }] });
    expect(takeQueued()).toEqual({ s1: [{ text: 'one', files: ['a.png'] }] });
    expect(takeQueued()).toEqual({});
    sessionStorage.setItem(QUEUED_STORAGE, JSON.stringify({ s1: [{ text: 3 }], s2: 'x' }));
    expect(takeQueued()).toEqual({});
  });
});
