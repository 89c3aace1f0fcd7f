// Start-up warnings for settings that widen what a key holder, or anyone on the
// network, can reach. Printed once at start; none of them stops the server.
import net from 'node:net';
import type { Config } from './config.js';

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  return h === '::1';
}

/** `config.sandbox` is the decided value (on/off) here. */
export function startupWarnings(config: Config, uid: number | undefined = process.getuid?.()): string[] {
  const w: string[] = [];
  if (!isLoopback(config.host) && config.trustProxy === undefined)
    w.push(
      `HOST=${config.host} is reachable from the network over plain HTTP: the API key and every conversation cross it in clear text. Put a TLS reverse proxy in front and set TRUST_PROXY to its address.`,
    );
  if (config.permissionMode === 'bypassPermissions')
    w.push(
      `PERMISSION_MODE=bypassPermissions: every tool call runs without asking${config.sandbox === 'on' ? ' (Bash inside the sandbox)' : ', and Bash runs unconfined (SANDBOX is off)'}.`,
    );
  if (uid === 0) w.push('Running as root: every command the agent runs is a root command. Run the server as an unprivileged user.');
  return w;
}
