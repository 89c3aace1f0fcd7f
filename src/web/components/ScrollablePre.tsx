// A <pre> that scrolls sideways (tool output, commands, diffs): reachable by keyboard so its
// overflow can be read without a mouse (axe: scrollable-region-focusable).
import type { HTMLAttributes } from 'react';

export function ScrollablePre(props: HTMLAttributes<HTMLPreElement>) {
  // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must take the focus to be scrolled by keyboard (WCAG 2.1.1)
  return <pre tabIndex={0} {...props} />;
}
