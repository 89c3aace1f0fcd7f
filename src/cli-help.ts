// `claude-sdk-pattern --help`: the environment variables the server reads, from their one description
// (config/variables.ts).
import { ENV_VARIABLES, helpLine } from './config/variables.js';

export function helpText(version: string): string {
  const width = Math.max(...ENV_VARIABLES.map((k) => k.length));
  const vars = ENV_VARIABLES.map((k) => `  ${k.padEnd(width)}  ${helpLine(k)}`).join('\n');
  return `claude-sdk-pattern ${version}: chat with Claude agents in the browser.

Usage: claude-sdk-pattern            start the server (configured by the environment)
       claude-sdk-pattern --version  print the version
       claude-sdk-pattern --help     print this help

Environment variables:
${vars}

Open the URL it prints. More in README.md.
`;
}
