// The jail's pieces without a CLI: the mount picture (parents first, hidden folders empty and
// read-only, the user's own folders bound again inside them), the AGENT_JAIL decision and its
// refusals, each user's config folder and the move of old transcripts into it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../src/config/config.js';
import { UserService } from '../src/core/identity/users.js';
import { bwrapArgs, JAIL_UID_FOR_ROOT } from '../src/core/jail/bwrap-args.js';
import { configDirOf, migrateTranscripts } from '../src/core/jail/config-dirs.js';
import { decideJail } from '../src/core/jail/jail-probe.js';
import { startJail } from '../src/core/jail/jail-start.js';
import { jailLayoutProblem, sessionJailSpec } from '../src/core/jail/session-jail.js';
import { openSqlite } from '../src/db/sqlite/open-sqlite.js';
import { PlatformError } from '../src/protocol/errors.js';
import { tempDir } from './helpers/harness.js';

/** The mounts of an argument list as [flag, path] pairs, in order. */
function mounts(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--tmpfs' || a === '--remount-ro') out.push(`${a} ${args[i + 1]}`);
    if (a === '--bind' || a === '--ro-bind') out.push(`${a} ${args[i + 1]}`);
  }
  return out;
}

test('bwrap arguments: host read-only, own PID namespace, private /tmp, parents mounted before children', () => {
  const args = bwrapArgs({
    visible: ['/srv/project'],
    writable: ['/srv/project/users/alice', '/srv/project/data/claude-config/alice'],
    readOnly: ['/srv/project/mcp.json'],
    hidden: ['/srv/project/data', '/srv/project/users'],
    cwd: '/srv/project/users/alice',
    root: false,
  });
  assert.deepEqual(args.slice(0, 3), ['--ro-bind', '/', '/']);
  for (const flag of ['--unshare-pid', '--unshare-user', '--die-with-parent']) assert.ok(args.includes(flag), flag);
  assert.ok(!args.includes('--unshare-net'), 'the CLI keeps the network (the model API)');
  assert.deepEqual(mounts(args), [
    '--ro-bind /',
    '--tmpfs /tmp',
    '--ro-bind /srv/project',
    '--tmpfs /srv/project/data',
    '--tmpfs /srv/project/users',
    '--ro-bind /srv/project/mcp.json',
    '--bind /srv/project/users/alice',
    '--bind /srv/project/data/claude-config/alice',
    '--remount-ro /srv/project/data',
    '--remount-ro /srv/project/users',
  ]);
  assert.deepEqual(args.slice(-2), ['--chdir', '/srv/project/users/alice']);
  // As root: an ordinary uid without capabilities inside.
  const asRoot = bwrapArgs({ writable: [], readOnly: [], hidden: [], cwd: '/', root: true });
  assert.ok(asRoot.join(' ').includes(`--uid ${JAIL_UID_FOR_ROOT} --gid ${JAIL_UID_FOR_ROOT} --cap-drop ALL`));
});

test('a shared workspace is writable with its extension files read-only on top; the data folder inside it is hidden', () => {
  const dir = tempDir();
  const project = path.join(dir, 'project');
  fs.mkdirSync(path.join(project, 'skills'), { recursive: true });
  fs.writeFileSync(path.join(project, 'mcp.json'), '{}');
  const config = loadConfig({ PROJECT_DIR: project, DATABASE_URL: `sqlite:///${project}/data/sessions.db`, HOME: dir });
  fs.mkdirSync(path.join(project, 'data'), { recursive: true });
  const own = configDirOf(config, 'alice');
  fs.mkdirSync(own, { recursive: true });
  const spec = sessionJailSpec(config, { cwd: project, configDir: own, pluginDirs: [] });
  const real = (p: string) => fs.realpathSync(p);
  assert.ok(spec.writable.includes(real(project)));
  assert.ok(spec.writable.includes(real(own)));
  assert.deepEqual(spec.readOnly.sort(), [real(path.join(project, 'mcp.json')), real(path.join(project, 'skills'))].sort());
  assert.ok(spec.hidden.includes(real(path.join(project, 'data'))));
  assert.equal(own, path.join(project, 'data', 'claude-config', 'alice'));
  assert.equal(configDirOf(config, 'default'), config.claudeConfigDir, 'the built-in admin keeps the configured folder');
  assert.equal(jailLayoutProblem(config), null);
  const inProject = loadConfig({ PROJECT_DIR: project, DATABASE_URL: `sqlite:///${project}/sessions.db`, HOME: dir });
  assert.match(jailLayoutProblem(inProject) ?? '', /database lies directly in PROJECT_DIR/);
});

test('AGENT_JAIL: auto follows the probe; a required jail that cannot run refuses to start unless off; off is said', () => {
  const works = () => null;
  const broken = () => 'bwrap cannot create a jail here: no namespaces';
  assert.equal(decideJail('auto', null, works).enabled, true);
  assert.match(decideJail('auto', null, works).reason, /AGENT_JAIL=auto: on/);
  assert.equal(decideJail('auto', null, broken).enabled, false);
  assert.match(decideJail('auto', null, broken).reason, /off, because bwrap cannot/);
  assert.throws(() => decideJail('auto', 'WORKSPACES=per-user', broken), /refusing to start.*AGENT_JAIL=off/);
  assert.throws(() => decideJail('on', null, broken), /AGENT_JAIL=on but the jail cannot run/);
  const off = decideJail('off', 'WORKSPACES=per-user', broken);
  assert.equal(off.enabled, false);
  assert.match(off.reason, /AGENT_JAIL=off although WORKSPACES=per-user/);
  assert.throws(() => loadConfig({ AGENT_JAIL: 'maybe' }), /AGENT_JAIL must be one of on, off, auto/);
});

test("old transcripts of team users move to their own config folder; the built-in admin's stay", async () => {
  const dir = tempDir();
  const config = loadConfig({ CLAUDE_CONFIG_DIR: path.join(dir, 'cfg'), DATABASE_URL: `sqlite:///${dir}/data/s.db`, HOME: dir });
  const ids = { bob: '11111111-1111-4111-8111-111111111111', admin: '22222222-2222-4222-8222-222222222222' };
  const proj = path.join(config.claudeConfigDir, 'projects', '-srv-project');
  fs.mkdirSync(path.join(proj, ids.bob), { recursive: true });
  fs.writeFileSync(path.join(proj, `${ids.bob}.jsonl`), '{"bob":1}\n');
  fs.writeFileSync(path.join(proj, `${ids.admin}.jsonl`), '{"admin":1}\n');
  fs.mkdirSync(path.join(config.claudeConfigDir, 'file-history', ids.bob), { recursive: true });
  const owners: Record<string, string> = { [ids.bob]: 'bob', [ids.admin]: 'default' };
  assert.equal(await migrateTranscripts(config, async (id) => owners[id], pino({ level: 'silent' })), 1);
  const bobs = configDirOf(config, 'bob');
  assert.equal(fs.readFileSync(path.join(bobs, 'projects', '-srv-project', `${ids.bob}.jsonl`), 'utf8'), '{"bob":1}\n');
  assert.ok(fs.existsSync(path.join(bobs, 'projects', '-srv-project', ids.bob)));
  assert.ok(fs.existsSync(path.join(bobs, 'file-history', ids.bob)));
  assert.ok(!fs.existsSync(path.join(proj, `${ids.bob}.jsonl`)));
  assert.ok(fs.existsSync(path.join(proj, `${ids.admin}.jsonl`)));
});

test('without a jail the first team user is refused (jail_required) unless AGENT_JAIL=off; with one in the database the start is refused', async () => {
  const log = pino({ level: 'silent' });
  const broken = () => 'bwrap cannot create a jail here';
  const admin = { user_id: 'default', name: 'admin', role: 'admin' as const, via: 'key' as const };
  for (const mode of ['auto', 'off'] as const) {
    const dir = tempDir();
    const config = loadConfig({ DATABASE_URL: `sqlite:///${dir}/s.db`, CLAUDE_CONFIG_DIR: `${dir}/cfg`, AGENT_JAIL: mode, HOME: dir });
    const repos = await openSqlite(config.databasePath);
    const nobody = async () => undefined;
    try {
      const users = repos.users;
      await startJail(config, users, nobody, log, broken);
      assert.equal(config.agentJail, 'off', 'an unjailed single-user install still starts');
      const service = new UserService(users, 'k'.repeat(20));
      if (mode === 'auto') {
        await assert.rejects(
          service.create(admin, { name: 'bob', role: 'member' }),
          (e: unknown) => e instanceof PlatformError && e.code === 'jail_required',
        );
        assert.equal((await users.users()).length, 1, 'nobody was added');
      } else {
        await service.create(admin, { name: 'bob', role: 'member' });
        // The next start with a member and no jail: refused unless off.
        const again = { ...config, agentJail: 'auto' as const };
        await assert.rejects(startJail(again, users, nobody, log, broken), /besides the built-in admin: refusing to start/);
        const off = { ...config, agentJail: 'off' as const };
        await startJail(off, users, nobody, log, broken);
        assert.equal(off.agentJail, 'off');
      }
    } finally {
      await repos.close();
    }
  }
});
