// Decides at start whether each session's CLI runs in its jail (AGENT_JAIL=on|off|auto).
// The probe runs bubblewrap once with the jail's own kind of mounts (PID namespace, fresh
// /proc, tmpfs) and a bubblewrap nested inside it, as the CLI's Bash sandbox needs.
import { spawnSync } from 'node:child_process';
import type { JailMode } from '../../config/config.js';
import { bwrapArgs } from './bwrap-args.js';

export interface JailDecision {
  enabled: boolean;
  /** One sentence for the start-up line: which, and why. */
  reason: string;
}

/** Why the jail cannot run here, or null when it can. */
export function jailUnavailable(): string | null {
  if (process.platform !== 'linux') return `the jail needs Linux (platform ${process.platform})`;
  // The jail itself, with the Bash sandbox's kind of bubblewrap inside (own user and network namespaces).
  const jail = bwrapArgs({ writable: [], readOnly: [], hidden: [], cwd: '/' });
  const inner = ['--ro-bind', '/', '/', '--dev', '/dev', '--unshare-user', '--unshare-net', '--unshare-pid', '--bind', '/proc', '/proc'];
  const r = spawnSync('bwrap', [...jail, '--', 'bwrap', ...inner, '--', 'true'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'bubblewrap (bwrap) is not installed (apt-get install bubblewrap)' : `bwrap failed: ${r.error.message}`;
  }
  if (r.status !== 0) return `bwrap cannot create a jail here: ${(r.stderr || `exit ${r.status}`).trim().split('\n')[0]}`;
  return null;
}

/**
 * `required`: why the server must not run without a jail (per-user workspaces, or users
 * besides the built-in admin), or null. Throws the start-up error when it must refuse.
 */
export function decideJail(mode: JailMode, required: string | null, probe: () => string | null = jailUnavailable): JailDecision {
  if (mode === 'off')
    return {
      enabled: false,
      reason: required
        ? `AGENT_JAIL=off although ${required}: every agent runs as the server's user and sees its whole file system (database, other users' files)`
        : 'AGENT_JAIL=off: agents run as the server user without a jail',
    };
  const why = probe();
  if (why) {
    if (mode === 'on') throw new Error(`AGENT_JAIL=on but the jail cannot run: ${why}`);
    if (required)
      throw new Error(
        `The agent jail cannot run here (${why}), and ${required}: refusing to start. Fix bubblewrap, or set AGENT_JAIL=off to run every agent unconfined.`,
      );
    return { enabled: false, reason: `AGENT_JAIL=auto: off, because ${why}; agents run as the server user without a jail` };
  }
  return {
    enabled: true,
    reason: `AGENT_JAIL=${mode}: ${mode === 'auto' ? 'on (bubblewrap works here); ' : ''}each session's CLI runs in its own jail`,
  };
}
