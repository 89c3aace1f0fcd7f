// A wide table scrolls sideways inside its card (a phone), not the page. The scrolling box is a
// named region that takes focus, so a keyboard can scroll it too (axe: scrollable-region-focusable).
import type { ReactNode } from 'react';

export function TableScroll({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
    <section className="panel-table-scroll" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}
