// The browser chat UI (src/web) builds into dist/web, which the server serves at / and /chat.
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { cspString } from './src/web/csp.ts';

/** The built page carries its Content-Security-Policy (the dev server's inline preamble could not run under it). */
function cspMeta(): Plugin {
  return {
    name: 'csp-meta',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler: (html) =>
        html.replace(
          '<meta charset="UTF-8" />',
          `<meta charset="UTF-8" />\n    <meta http-equiv="Content-Security-Policy" content="${cspString()}" />`,
        ),
    },
  };
}

export default defineConfig({
  root: 'src/web',
  base: '/',
  plugins: [react(), cspMeta()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        // React and the other libraries in their own chunk: no chunk passes the 500 kB warning, and the
        // app's own code can change without a new download of the libraries.
        codeSplitting: { groups: [{ name: 'vendor', test: /node_modules[\\/](react|react-dom|scheduler|zod|marked|dompurify)[\\/]/ }] },
      },
    },
  },
  server: {
    // `npx vite` for UI work: the API and WebSocket go to a server started on port 8000.
    proxy: {
      '/api': 'http://127.0.0.1:8000',
      '/ws': { target: 'ws://127.0.0.1:8000', ws: true },
    },
  },
});
