// The Content-Security-Policy the chat runs under. The built index.html carries it in a
// <meta> tag, so the app holds to it wherever it is served; the server sends it as a
// header too (with frame-ancestors, which a <meta> policy cannot carry). Everything is
// same-origin: no inline script or style, no eval, images only from here, data: URLs or blob: URLs the page made (attachment thumbnails),
// the WebSocket only to this server.
export const CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
};

export function cspString(directives: Record<string, string[]> = CSP_DIRECTIVES): string {
  return Object.entries(directives)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join('; ');
}
