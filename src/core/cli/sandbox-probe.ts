// Decides at start whether Bash runs sandboxed (SANDBOX=on|off|auto). The CLI's
// sandbox on Linux is bubblewrap plus socat (its network proxy bridge); a
// bubblewrap that is installed but cannot create namespaces (some containers)
// is as good as missing, so auto runs it once.
import { spawnSync } from 'node:child_process';
import type { SandboxMode } from '../../config/config.js';

export interface SandboxDecision {
  enabled: boolean;
  /** One sentence for the start-up line: which, and why. */
  reason: string;
}

/** Why the sandbox cannot run here, or null when it can. */
export function sandboxUnavailable(): string | null {
  if (process.platform !== 'linux') return `the sandbox is only wired for Linux here (platform ${process.platform})`;
  const bwrap = spawnSync(
    'bwrap',
    ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-net', '--unshare-pid', '--die-with-parent', 'true'],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (bwrap.error) {
    const code = (bwrap.error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? 'bubblewrap (bwrap) is not installed (apt-get install bubblewrap socat)'
      : `bwrap failed: ${bwrap.error.message}`;
  }
  if (bwrap.status !== 0) return `bwrap cannot create a sandbox here: ${(bwrap.stderr || `exit ${bwrap.status}`).trim().split('\n')[0]}`;
  const socat = spawnSync('socat', ['-V'], { encoding: 'utf8', timeout: 10_000 });
  if (socat.error) return 'socat is not installed (apt-get install socat)';
  return null;
}

export function decideSandbox(mode: SandboxMode, probe: () => string | null = sandboxUnavailable): SandboxDecision {
  if (mode === 'off') return { enabled: false, reason: 'SANDBOX=off: Bash commands run unconfined as the server user' };
  const why = probe();
  if (mode === 'on') {
    if (why) throw new Error(`SANDBOX=on but the sandbox cannot run: ${why}`);
    return { enabled: true, reason: 'SANDBOX=on: Bash commands run in bubblewrap' };
  }
  return why
    ? { enabled: false, reason: `SANDBOX=auto: off, because ${why}; Bash commands run unconfined as the server user` }
    : { enabled: true, reason: 'SANDBOX=auto: on (bubblewrap works here); Bash commands run in bubblewrap' };
}
