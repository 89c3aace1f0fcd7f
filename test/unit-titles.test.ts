// Session titles (issue 18 item 4): short, plain, the first line of the first message; forks say so.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forkTitle, titleFromMessage } from '../src/core/conversations/titles.js';

const CASES: [string, string | null][] = [
  ['Fix the login bug', 'Fix the login bug'],
  ['  first line  \nsecond line', 'first line'],
  ['tool: Read {"file_path":"/etc/hosts"}', 'Read'],
  ['run: ls -la', 'ls -la'],
  ['say: hello there', 'hello there'],
  ['slow: 40 a long streamed answer', 'a long streamed answer'],
  ['# A **bold** heading', 'A bold heading'],
  ['- see [the docs](https://x.example) and `npm test`', 'see the docs and npm test'],
  ['```ts\nconst a = 1;\n```', 'const a = 1;'],
  ['', null],
  ['   \n  ', null],
  ['x'.repeat(100), `${'x'.repeat(59)}…`],
];

for (const [text, title] of CASES) {
  test(`title of ${JSON.stringify(text.slice(0, 40))}`, () => {
    assert.equal(titleFromMessage(text), title);
  });
}

test('a title is at most 60 characters', () => {
  const t = titleFromMessage('word '.repeat(40)) ?? '';
  assert.ok([...t].length <= 60);
});

test('a fork reads "Fork of <title>"', () => {
  assert.equal(forkTitle('Fix the login bug'), 'Fork of Fix the login bug');
  assert.equal(forkTitle(null), null);
});
