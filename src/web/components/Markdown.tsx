// Assistant text as sanitized Markdown (see markdown.ts), with working Copy buttons on code blocks.
import { type MouseEvent, memo, useMemo } from 'react';
import { useHighlighterVersion } from '../highlighter';
import { renderMarkdown } from '../markdown';
import './Markdown.css';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.style.position = 'fixed';
    ta.style.opacity = '0';
    document.body.appendChild(ta);
    ta.select();
    const ok = document.execCommand('copy');
    ta.remove();
    return ok;
  }
}

function onCopyClick(e: MouseEvent<HTMLDivElement>): void {
  const btn = (e.target as HTMLElement).closest<HTMLButtonElement>('button[data-copy]');
  if (!btn) return;
  const code = btn.closest('.code-block')?.querySelector('code')?.textContent ?? '';
  void copyText(code).then((ok) => {
    btn.textContent = ok ? 'Copied' : 'Copy failed';
    setTimeout(() => {
      btn.textContent = 'Copy';
    }, 1500);
  });
}

export const Markdown = memo(function Markdown({ text, streaming }: { text: string; streaming: boolean }) {
  const highlighter = useHighlighterVersion();
  // biome-ignore lint/correctness/useExhaustiveDependencies: rendered again when the highlighter arrives
  const html = useMemo(() => renderMarkdown(text, streaming), [text, streaming, highlighter]);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the copy buttons inside are real buttons; this only delegates their clicks
    // biome-ignore lint/a11y/noStaticElementInteractions: same
    // biome-ignore lint/security/noDangerouslySetInnerHtml: the HTML comes out of DOMPurify (see markdown.ts)
    <div className="markdown" onClick={onCopyClick} dangerouslySetInnerHTML={{ __html: html }} />
  );
});
