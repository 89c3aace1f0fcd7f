// End-to-end tests of the web UI against the real server (spawned by test/e2e/server.ts),
// real Claude CLI processes and the built-in demo model. Run with `npm run test:e2e`.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'test/e2e',
  workers: 1,
  fullyParallel: false,
  reporter: 'list',
  // Generous: the CI machine has 2 cores and may be shared; tests wait on signals, never on time.
  timeout: 120_000,
  expect: { timeout: 30_000 },
  retries: 0,
  outputDir: 'test-results',
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
