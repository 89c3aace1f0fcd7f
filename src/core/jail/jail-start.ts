// The jail at start: decided once (AGENT_JAIL, with the reason in the log), refused where
// team users would run unconfined, and kept closed afterwards (no user added at run time
// on a server that cannot jail their agents, unless AGENT_JAIL=off was chosen).
import type { Logger } from 'pino';
import type { Config } from '../../config/config.js';
import type { UserRepository } from '../../db/ports.js';
import { PlatformError } from '../../protocol/errors.js';
import { BUILTIN_ADMIN, migrateTranscripts } from './config-dirs.js';
import { decideJail, jailUnavailable } from './jail-probe.js';
import { jailLayoutProblem } from './session-jail.js';

/** Resolves config.agentJail to on or off; throws (the start-up error) where the server must refuse. */
export async function startJail(
  config: Config,
  users: UserRepository,
  ownerOf: (sessionId: string) => Promise<string | undefined>,
  log: Logger,
  probe?: () => string | null,
): Promise<void> {
  const others = (await users.users()).filter((u) => u.user_id !== BUILTIN_ADMIN && !u.disabled).length;
  const required =
    config.workspaces === 'per-user'
      ? 'WORKSPACES=per-user'
      : others > 0
        ? `the database has ${others} user${others === 1 ? '' : 's'} besides the built-in admin`
        : null;
  // A layout the jail cannot hide counts as a jail that cannot run (auto: off, unless required).
  const d = decideJail(config.agentJail, required, () => {
    const bad = jailLayoutProblem(config);
    return bad ? `it cannot hide the data folder: ${bad}` : (probe ?? jailUnavailable)();
  });
  if (!d.enabled && required) log.warn({ agent_jail: false }, d.reason);
  else log.info({ agent_jail: d.enabled }, d.reason);
  const explicitOff = config.agentJail === 'off';
  config.agentJail = d.enabled ? 'on' : 'off';
  // Without a jail (and not by choice), the first team user is refused rather than left unconfined.
  if (!d.enabled && !explicitOff)
    users.beforeInsert = () => {
      throw new PlatformError('jail_required');
    };
  await migrateTranscripts(config, ownerOf, log);
}
