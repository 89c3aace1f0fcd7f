// Assistant text as sanitized Markdown: marked renders, highlight.js colours
// code (a few languages, loaded on demand: highlighter.ts), DOMPurify cleans.
import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';
import { highlightCode } from './highlighter';

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function highlight(code: string, lang: string | undefined): { html: string; language: string } {
  const name = (lang ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  const coloured = name ? highlightCode(code, name) : null;
  return { html: coloured ?? escapeHtml(code), language: name };
}

const marked = new Marked({
  gfm: true,
  breaks: false,
  renderer: {
    code({ text, lang }: Tokens.Code): string {
      const { html, language } = highlight(text, lang);
      const label = language ? escapeHtml(language) : 'text';
      return (
        `<div class="code-block"><div class="code-head"><span class="code-lang">${label}</span>` +
        `<button type="button" class="copy-btn" data-copy>Copy</button></div>` +
        `<pre><code class="hljs${language ? ` language-${escapeHtml(language)}` : ''}">${html}</code></pre></div>`
      );
    },
    link({ href, title, tokens }: Tokens.Link): string {
      const text = this.parser.parseInline(tokens);
      const t = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(href)}"${t} target="_blank" rel="noopener noreferrer">${text}</a>`;
    },
  },
});

// Assistant output is untrusted: a prompt injection in any file the agent reads can
// write it. So the rendered HTML can neither load anything from elsewhere nor draw over
// the app: no style, no id/name (they would clash with or clobber the app's own), no
// role/aria (they would fake the app's regions for assistive tech), only the classes
// this renderer itself gives (so the app's CSS cannot be borrowed), no media but
// images, and an image that is not same-origin or data: becomes a link.
const FORBID_ATTR = [
  'style',
  'id',
  'name',
  'role',
  'srcset',
  'background',
  'poster',
  'popover',
  'popovertarget',
  'popovertargetaction',
  'tabindex',
  'accesskey',
  'autofocus',
  'form',
  'formaction',
];
const FORBID_TAGS = ['style', 'form', 'input', 'dialog', 'audio', 'video', 'source', 'track', 'picture', 'template', 'slot'];

const OWN_CLASSES = new Set(['code-block', 'code-head', 'code-lang', 'copy-btn', 'remote-image']);
const HIGHLIGHT_CLASS = /^(hljs(-[a-z_-]+)?|language-[a-z0-9+#_-]+)$/i;

/** Keeps only the classes this renderer produces (highlight.js and the code block's own). */
export function ownClasses(value: string): string {
  return value
    .split(/\s+/)
    .filter((c) => OWN_CLASSES.has(c) || HIGHLIGHT_CLASS.test(c))
    .join(' ');
}

/** An image may load when it is a data: image or comes from this page's origin. */
export function isLoadableImage(src: string, origin: string = window.location.origin): boolean {
  if (/^data:image\//i.test(src.trim())) return true;
  try {
    return new URL(src, origin).origin === origin;
  } catch {
    return false;
  }
}

/** A link (or, for a URL that is not http(s), plain text) standing for an image that is not loaded. */
function imageStandIn(img: Element): Element {
  const doc = img.ownerDocument;
  const src = img.getAttribute('src') ?? '';
  const alt = img.getAttribute('alt')?.trim() ?? '';
  let url: URL | null = null;
  try {
    url = new URL(src, window.location.origin);
  } catch {
    url = null;
  }
  const web = url !== null && (url.protocol === 'https:' || url.protocol === 'http:');
  const el = doc.createElement(web ? 'a' : 'span');
  el.setAttribute('class', 'remote-image');
  if (web && url) {
    el.setAttribute('href', url.href);
    el.setAttribute('title', `Image not loaded: ${url.href}`);
  }
  el.textContent = alt || (web && url ? url.href : 'image');
  return el;
}

const purifier = DOMPurify();
purifier.addHook('uponSanitizeElement', (node, data) => {
  if (data.tagName !== 'img' || !(node instanceof Element)) return;
  const src = node.getAttribute('src') ?? '';
  if (src && isLoadableImage(src)) return;
  // Replaced in the sanitizer's inert document, before the <img> could reach the page and load.
  node.replaceWith(imageStandIn(node));
});
purifier.addHook('uponSanitizeAttribute', (_node, data) => {
  if (data.attrName !== 'class') return;
  data.attrValue = ownClasses(data.attrValue);
  if (!data.attrValue) data.keepAttr = false;
});
purifier.addHook('afterSanitizeAttributes', (node) => {
  // Links open in a new tab without handing it this window or this page's address.
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
  // Code blocks and tables scroll sideways: the keyboard must reach them (tabindex 0 only, never a jump in the order).
  if (node.tagName === 'PRE' || node.tagName === 'TABLE') node.setAttribute('tabindex', '0');
});

/** Untrusted HTML to HTML that can neither run, load from elsewhere, nor draw over the app. */
export function sanitize(html: string): string {
  return purifier.sanitize(html, {
    USE_PROFILES: { html: true },
    ADD_ATTR: ['target', 'data-copy'],
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    FORBID_TAGS,
    FORBID_ATTR,
  });
}

/** Markdown to safe HTML. While streaming, an unclosed code fence is closed for the render. */
export function renderMarkdown(text: string, streaming = false): string {
  let src = text;
  if (streaming && (src.match(/^\s*```/gm)?.length ?? 0) % 2 === 1) src += '\n```';
  return sanitize(marked.parse(src, { async: false }));
}
