// Diffs on file-editing tool cards: what was removed and added, new files all added, long ones folded.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { toolDiff } from '../diff';
import type { ToolItem } from '../state/types';
import { ToolCard } from './ToolCard';

function tool(name: string, input: Record<string, unknown>): ToolItem {
  return { kind: 'tool', id: 't1', tool: name, input, status: 'success', result: { output: 'ok' }, durationMs: 12 };
}

const lineTexts = (el: HTMLElement, cls: string) => [...el.querySelectorAll(`.diff-${cls} .diff-text`)].map((e) => e.textContent);

describe('diffs on tool cards', () => {
  afterEach(cleanup);

  it('an Edit shows the removed and added lines with the unchanged ones around them', () => {
    render(
      <ToolCard item={tool('Edit', { file_path: '/p/a.ts', old_string: 'one\ntwo\nthree\n', new_string: 'one\nTWO\nthree\nfour\n' })} />,
    );
    const fig = screen.getByRole('figure', { name: 'Changes to /p/a.ts' });
    expect(lineTexts(fig, 'del')).toEqual(['two']);
    expect(lineTexts(fig, 'add')).toEqual(['TWO', 'four']);
    expect(lineTexts(fig, 'ctx')).toEqual(['one', 'three']);
    expect(within(fig).getByText('+2').textContent).toBe('+2');
    expect(within(fig).getByText('−1').textContent).toBe('−1');
    // the raw input is replaced by the diff
    expect(screen.queryByText('Input')).toBeNull();
  });

  it('a Write is the whole new file, every line added and numbered', () => {
    render(<ToolCard item={tool('Write', { file_path: '/p/new.md', content: '# Title\n\nbody\n' })} />);
    const fig = screen.getByRole('figure', { name: 'Changes to /p/new.md' });
    expect(lineTexts(fig, 'add')).toEqual(['# Title', ' ', 'body']); // an empty line keeps its height
    expect(lineTexts(fig, 'del')).toEqual([]);
    expect([...fig.querySelectorAll('.diff-no')].map((e) => e.textContent)).toEqual(['1', '2', '3']);
  });

  it('a MultiEdit shows each edit under its own heading', () => {
    const d = toolDiff('MultiEdit', {
      file_path: '/p/b.ts',
      edits: [
        { old_string: 'a', new_string: 'b' },
        { old_string: 'c', new_string: 'd' },
      ],
    });
    expect(d?.lines.map((l) => `${l.kind}:${l.text}`)).toEqual([
      'hunk:Edit 1 of 2',
      'del:a',
      'add:b',
      'hunk:Edit 2 of 2',
      'del:c',
      'add:d',
    ]);
  });

  it('a long diff starts collapsed and "Show all N lines" shows the rest', () => {
    const content = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join('\n');
    render(<ToolCard item={tool('Write', { file_path: '/p/long.txt', content })} />);
    const fig = screen.getByRole('figure', { name: 'Changes to /p/long.txt' });
    expect(lineTexts(fig, 'add')).toHaveLength(20);
    const more = within(fig).getByRole('button', { name: 'Show all 100 lines' });
    expect(more.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(more);
    expect(lineTexts(fig, 'add')).toHaveLength(100);
    expect(lineTexts(fig, 'add')[99]).toBe('line 100');
    expect(within(fig).getByRole('button', { name: 'Show fewer lines' }).getAttribute('aria-expanded')).toBe('true');
  });

  it('other tools and malformed input keep the plain card', () => {
    expect(toolDiff('Bash', { command: 'ls' })).toBeNull();
    expect(toolDiff('Edit', { file_path: '/p/a', old_string: 1 })).toBeNull();
    render(<ToolCard item={tool('Read', { file_path: '/p/a.ts' })} />);
    expect(screen.queryByRole('figure')).toBeNull();
  });
});
