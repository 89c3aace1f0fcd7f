// Component tests of the web UI (src/web/**/*.test.tsx) in jsdom.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  test: {
    include: ['src/web/**/*.test.{ts,tsx}'],
    environment: 'jsdom',
    // A loaded 2-core CI machine can take seconds for one accessible-name query in jsdom.
    testTimeout: 30_000,
  },
});
