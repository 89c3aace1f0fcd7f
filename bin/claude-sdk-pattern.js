#!/usr/bin/env node
// `npx claude-sdk-pattern` / a global install: the same server as `npm start`, configured by the
// same environment variables. Runs the compiled dist/ shipped in the package.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const arg = process.argv[2];
if (arg === '--version' || arg === '-v') {
  process.stdout.write(`${pkg.version}\n`);
} else if (arg === '--help' || arg === '-h') {
  const { helpText } = await import('../dist/cli-help.js');
  process.stdout.write(helpText(pkg.version));
} else if (arg !== undefined) {
  process.stderr.write(`Unknown argument: ${arg}. The server is configured by environment variables: claude-sdk-pattern --help\n`);
  process.exit(2);
} else {
  await import('../dist/main.js');
}
