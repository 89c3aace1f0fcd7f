// The slash palette: typing `/` at the start of the message box lists the project's commands
// and skills and the CLI's own, filtered as you type. Arrows move, Enter or Tab takes one,
// Escape closes; a click takes one too. The box keeps the focus (aria-activedescendant).
import { type KeyboardEvent, useMemo, useState } from 'react';
import type { SlashCommandInfo } from '../../protocol/messages';
import './SlashPalette.css';

export const PALETTE_ID = 'slash-palette';
const SOURCE_LABEL: Record<SlashCommandInfo['source'], string> = { project: 'project', skill: 'skill', cli: 'Claude Code' };
const MAX_SHOWN = 50;

export interface Palette {
  open: boolean;
  matches: SlashCommandInfo[];
  active: number;
  /** Handles the key when the palette is open; true when it did. */
  onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>): boolean;
  choose(c: SlashCommandInfo): void;
  /** Attributes for the message box. */
  inputProps: Record<string, string | undefined>;
}

export function useSlashPalette(text: string, setText: (t: string) => void, commands: SlashCommandInfo[]): Palette {
  const [active, setActive] = useState(0);
  const [closedFor, setClosedFor] = useState<string | null>(null);
  // Escape closes the palette for this text only: typing reopens it.
  if (closedFor !== null && closedFor !== text) setClosedFor(null);
  const query = /^\/(\S*)$/.exec(text)?.[1];
  const matches = useMemo(() => {
    if (query === undefined) return [];
    const q = query.toLowerCase();
    const starts = commands.filter((c) => c.name.toLowerCase().startsWith(q));
    const contains = commands.filter((c) => !c.name.toLowerCase().startsWith(q) && c.name.toLowerCase().includes(q));
    return [...starts, ...contains].slice(0, MAX_SHOWN);
  }, [query, commands]);
  const open = query !== undefined && matches.length > 0 && closedFor !== text;
  const current = Math.min(active, Math.max(0, matches.length - 1));
  const choose = (c: SlashCommandInfo) => {
    setText(`/${c.name} `);
    setActive(0);
  };
  return {
    open,
    matches,
    active: current,
    choose,
    onKeyDown(e) {
      if (!open) return false;
      const pick = matches[current];
      switch (e.key) {
        case 'ArrowDown':
          setActive((current + 1) % matches.length);
          break;
        case 'ArrowUp':
          setActive((current - 1 + matches.length) % matches.length);
          break;
        case 'Enter':
        case 'Tab':
          if (e.shiftKey || !pick) return false;
          choose(pick);
          break;
        case 'Escape':
          setClosedFor(text);
          break;
        default:
          setActive(0);
          return false;
      }
      e.preventDefault();
      return true;
    },
    // No aria-expanded: a textarea is not a combobox (axe: aria-allowed-attr); aria-controls names the list while it shows.
    inputProps: {
      'aria-autocomplete': 'list',
      'aria-controls': open ? PALETTE_ID : undefined,
      'aria-activedescendant': open ? `${PALETTE_ID}-${current}` : undefined,
    },
  };
}

export function SlashPalette({ palette }: { palette: Palette }) {
  if (!palette.open) return null;
  return (
    <div className="slash-palette">
      <div id={PALETTE_ID} role="listbox" aria-label="Commands" className="slash-list">
        {palette.matches.map((c, i) => (
          // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard works from the message box (aria-activedescendant)
          <div
            key={`${c.source}:${c.name}`}
            tabIndex={-1}
            id={`${PALETTE_ID}-${i}`}
            role="option"
            aria-selected={i === palette.active}
            className={i === palette.active ? 'active' : undefined}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => palette.choose(c)}
          >
            <span className="slash-name">
              /{c.name}
              {c.argument_hint ? <span className="slash-hint"> {c.argument_hint}</span> : null}
            </span>
            <span className="slash-desc">{c.description}</span>
            <span className="slash-source">{SOURCE_LABEL[c.source]}</span>
          </div>
        ))}
      </div>
      <p className="sr-only" aria-live="polite">
        {palette.matches.length} commands
      </p>
    </div>
  );
}
