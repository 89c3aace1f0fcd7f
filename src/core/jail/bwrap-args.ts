// The bubblewrap command line of one jail, from what it must see. Pure: no file system
// access beyond resolving paths, so the picture in docs/security.md can be checked by a unit test.
//
// Mounts are applied in command-line order and a later mount covers what is under it, so
// every mount is emitted parents first: a hidden data folder inside the workspace covers
// that part of the workspace, and the user's own config folder inside the hidden data
// folder is bound again on top.

export interface JailSpec {
  /** Bound read-only first (the project: under a private /tmp it would otherwise be missing). */
  visible?: string[];
  /** Bound read-write (the workspace, the user's own Claude config folder). */
  writable: string[];
  /** Bound read-only on top of a writable parent (extension files, the generated plugin). */
  readOnly: string[];
  /** Replaced by an empty read-only folder: not mounted at all (the data folder, other users' folders). */
  hidden: string[];
  /** Where the CLI starts. */
  cwd: string;
  /** The server runs as root (default: this process's uid is 0). */
  root?: boolean;
}

/**
 * Root gets a user namespace too, as an ordinary uid without capabilities: as root with
 * capabilities the agent could unmount what hides the data folder, and uid 0 cannot map
 * the user namespace the Bash sandbox nests inside the jail.
 */
export const JAIL_UID_FOR_ROOT = 1000;

type Op = { kind: 'tmpfs' | 'visible' | 'hide' | 'bind' | 'ro-bind'; path: string };
const ORDER: Record<Op['kind'], number> = { tmpfs: 0, visible: 1, hide: 2, bind: 3, 'ro-bind': 4 };
const depth = (p: string) => p.split('/').filter(Boolean).length;

/** The bwrap arguments before `--` and the command. */
export function bwrapArgs(spec: JailSpec): string[] {
  const ops: Op[] = [
    // A private /tmp: the CLI's temp files (received images included) are the session's own.
    { kind: 'tmpfs', path: '/tmp' },
    ...(spec.visible ?? []).map((p) => ({ kind: 'visible' as const, path: p })),
    ...spec.hidden.map((p) => ({ kind: 'hide' as const, path: p })),
    ...spec.writable.map((p) => ({ kind: 'bind' as const, path: p })),
    ...spec.readOnly.map((p) => ({ kind: 'ro-bind' as const, path: p })),
  ];
  ops.sort((a, b) => depth(a.path) - depth(b.path) || ORDER[a.kind] - ORDER[b.kind]);
  const args = [
    // The host, read-only: tools and MCP servers installed anywhere still run.
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    // Its own PID namespace and /proc: the server's processes (and their environment) are not there.
    '--unshare-pid',
    '--proc',
    '/proc',
    '--unshare-ipc',
    // The network stays: the CLI reaches the model API (Bash's own sandbox decides for commands).
    '--unshare-user',
    ...((spec.root ?? process.getuid?.() === 0)
      ? ['--uid', String(JAIL_UID_FOR_ROOT), '--gid', String(JAIL_UID_FOR_ROOT), '--cap-drop', 'ALL']
      : []),
    '--die-with-parent',
  ];
  for (const op of ops) {
    if (op.kind === 'tmpfs' || op.kind === 'hide') args.push('--tmpfs', op.path);
    else args.push(op.kind === 'bind' ? '--bind' : '--ro-bind', op.path, op.path);
  }
  // Hidden folders are empty and stay so (after the binds inside them were made).
  for (const op of ops) if (op.kind === 'hide') args.push('--remount-ro', op.path);
  args.push('--chdir', spec.cwd);
  return args;
}
