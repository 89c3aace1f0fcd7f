import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { helpText } from '../src/cli-help.js';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { ENV_VARIABLES, VARIABLES } from '../src/config/variables.js';
import { instanceId } from '../src/core/cli/cli-options.js';

test('defaults follow the configuration table', () => {
  const c = loadConfig({});
  assert.equal(c.prewarmPoolSize, 2);
  assert.equal(c.maxSessions, 10);
  assert.equal(c.maxSessionDurationSeconds, 14400);
  assert.equal(c.maxSessionRssMb, 2048);
  assert.equal(c.sessionIdleTimeoutSeconds, 1800);
  assert.equal(c.prewarmTimeoutSeconds, 60);
  assert.equal(c.databasePath, path.resolve('data/sessions.db'));
  assert.equal(c.host, '127.0.0.1', 'loopback outside a container (the image sets HOST=0.0.0.0)');
  assert.equal(c.port, 8000);
  assert.equal(c.logLevel, 'info');
  assert.equal(c.projectDir, path.resolve('.'));
  assert.equal(c.permissionMode, 'default');
  assert.equal(c.monitorIntervalSeconds, 30);
  assert.equal(c.demoMode, true);
  assert.equal(c.apiKeyGenerated, true);
  assert.ok(c.apiKey.length >= 24);
});

test('a given key is used; the CLI environment never sees it', () => {
  const c = loadConfig({ CLAUDE_SDK_PATTERN_API_KEY: 'secret-0123456789', ANTHROPIC_API_KEY: 'sk', HTTPS_PROXY: 'http://proxy:1' });
  assert.equal(c.apiKey, 'secret-0123456789');
  assert.equal(c.demoMode, false);
  assert.equal(c.childEnv.CLAUDE_SDK_PATTERN_API_KEY, undefined);
  assert.equal(c.childEnv.ANTHROPIC_API_KEY, 'sk');
  assert.equal(c.childEnv.HTTPS_PROXY, 'http://proxy:1');
  assert.equal(c.childEnv.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC, '1');
});

test('sqlite URLs: relative and absolute', () => {
  assert.equal(loadConfig({ DATABASE_URL: 'sqlite:////tmp/x/s.db' }).databasePath, '/tmp/x/s.db');
  assert.equal(loadConfig({ DATABASE_URL: 'sqlite:///rel/s.db' }).databasePath, path.resolve('rel/s.db'));
  assert.equal(loadConfig({ DATABASE_URL: 'sqlite:///rel/s.db' }).postgresUrl, null);
  // PostgreSQL by either scheme; local files stay in the default data folder.
  for (const url of ['postgres://csp@db.internal/csp', 'postgresql://csp:pw@10.0.0.5:5432/csp?sslmode=require']) {
    const c = loadConfig({ DATABASE_URL: url });
    assert.equal(c.postgresUrl, url);
    assert.equal(c.databasePath, path.resolve('data/sessions.db'));
  }
});

test('bad values name the variable in one line', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be at most 65535/],
    [{ MAX_SESSIONS: '0' }, /^Invalid configuration: MAX_SESSIONS must be at least 1/],
    [{ LOG_LEVEL: 'LOUD' }, /^Invalid configuration: LOG_LEVEL must be one of/],
    [{ DATABASE_URL: 'mysql://x' }, /^Invalid configuration: DATABASE_URL must look like sqlite:\/\/\/path\/to\/file.db or postgres:\/\//],
    [{ PERMISSION_MODE: 'yolo' }, /PERMISSION_MODE must be one of default, acceptEdits, bypassPermissions, plan/],
    [{ PREWARM_POOL_SIZE: '-1' }, /PREWARM_POOL_SIZE/],
    [{ ANTHROPIC_BASE_URL: 'not a url' }, /ANTHROPIC_BASE_URL must be a URL/],
    [{ CLAUDE_SDK_PATTERN_API_KEY: 'a' }, /^Invalid configuration: CLAUDE_SDK_PATTERN_API_KEY must be at least 16 characters/],
    [{ CLAUDE_SDK_PATTERN_API_KEY: '0123456789abcde' }, /CLAUDE_SDK_PATTERN_API_KEY must be at least 16 characters/],
    [{ SANDBOX: 'maybe' }, /^Invalid configuration: SANDBOX must be one of on, off, auto/],
    [{ TRUST_PROXY: 'yes please' }, /^Invalid configuration: TRUST_PROXY must be a hop count/],
    [{ AUTH_FAILURES_PER_MINUTE: '0' }, /AUTH_FAILURES_PER_MINUTE must be at least 1/],
    [{ MAX_SOCKETS_PER_ADDRESS: 'x' }, /MAX_SOCKETS_PER_ADDRESS must be a whole number/],
    [{ WS_PING_INTERVAL_SECONDS: '0' }, /WS_PING_INTERVAL_SECONDS must be a positive number/],
  ];
  for (const [env, re] of cases) {
    assert.throws(
      () => loadConfig(env),
      (e: unknown) => e instanceof ConfigError && re.test(e.message) && !e.message.includes('\n'),
    );
  }
});

test('the server refuses to start on a bad value, with that one line', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { PATH: process.env.PATH, PORT: 'abc' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 2);
  assert.equal(r.stderr.trim(), 'Invalid configuration: PORT must be a whole number, got "abc"');
});

test('a key shorter than 16 characters refuses to start, with one line', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { PATH: process.env.PATH, CLAUDE_SDK_PATTERN_API_KEY: 'a' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 2);
  assert.equal(
    r.stderr.trim(),
    'Invalid configuration: CLAUDE_SDK_PATTERN_API_KEY must be at least 16 characters (try: openssl rand -base64 24)',
  );
});

test('the CLI environment is an allowlist: platform secrets and unrelated variables stay out', () => {
  const c = loadConfig({
    PATH: '/usr/bin',
    HOME: '/home/x',
    LANG: 'C.UTF-8',
    LC_ALL: 'C.UTF-8',
    TZ: 'UTC',
    no_proxy: 'localhost',
    NODE_EXTRA_CA_CERTS: '/ca.pem',
    ANTHROPIC_API_KEY: 'sk-model',
    ANTHROPIC_BASE_URL: 'http://127.0.0.1:1',
    CLAUDE_CONFIG_DIR: '/cfg',
    CLAUDE_CODE_MAX_OUTPUT_TOKENS: '100',
    CLAUDE_SDK_PATTERN_API_KEY: 'platform-key-0123456789',
    CLAUDE_SDK_PATTERN_ANYTHING: 'x',
    DATABASE_PASSWORD: 'db-secret',
    AWS_SECRET_ACCESS_KEY: 'aws-secret',
    GITHUB_TOKEN: 'gh-secret',
    MY_TOOL_HOME: '/opt/tool',
    CHILD_ENV_PASSTHROUGH: 'MY_TOOL_*,CLAUDE_SDK_PATTERN_API_KEY',
  });
  assert.deepEqual(Object.keys(c.childEnv).sort(), [
    'ANTHROPIC_API_KEY',
    'ANTHROPIC_BASE_URL',
    'CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC',
    'CLAUDE_CODE_MAX_OUTPUT_TOKENS',
    'CLAUDE_CONFIG_DIR',
    'HOME',
    'LANG',
    'LC_ALL',
    'MY_TOOL_HOME',
    'NODE_EXTRA_CA_CERTS',
    'PATH',
    'TZ',
    'no_proxy',
  ]);
  // Cloud credentials pass only when the CLI is told to use that cloud.
  const bedrock = loadConfig({ CLAUDE_CODE_USE_BEDROCK: '1', AWS_REGION: 'us-east-1', GOOGLE_X: 'g' });
  assert.equal(bedrock.childEnv.AWS_REGION, 'us-east-1');
  assert.equal(bedrock.childEnv.GOOGLE_X, undefined);
});

test('each variable is written once: --help shows the default the loader applies, for every variable', () => {
  const help = helpText('0.0.0');
  for (const name of ENV_VARIABLES) {
    const v: { schema: { parse(x: unknown): unknown }; default?: string; help: string } = VARIABLES[name];
    assert.match(help, new RegExp(`^  ${name} +${v.default === undefined ? '' : `\\(${escapeRegExp(v.default)}\\) `}`, 'm'), name);
    // Unset and set to the shown default parse the same (the help cannot drift from the parser).
    if (v.default !== undefined) assert.deepEqual(v.schema.parse(undefined), v.schema.parse(v.default), name);
  }
  // A variable that fills a Config field fills it with its parsed value.
  const c = loadConfig({ MAX_SESSIONS: '7', SANDBOX: 'OFF', ALLOWED_HOSTS: 'A.example, b.example', FILE_CHECKPOINTING: 'off' });
  assert.equal(c.maxSessions, 7);
  assert.equal(c.sandbox, 'off');
  assert.deepEqual(c.allowedHosts, ['a.example', 'b.example']);
  assert.equal(c.fileCheckpointing, false);
});

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

test('REPLICA_ID defaults to the host name and names one replica; SESSION_LEASE_SECONDS defaults to 15', () => {
  const c = loadConfig({});
  assert.equal(c.replicaId, os.hostname());
  assert.equal(c.sessionLeaseSeconds, 15);
  assert.equal(loadConfig({ REPLICA_ID: ' csp-7f9c-x2 ', SESSION_LEASE_SECONDS: '5' }).replicaId, 'csp-7f9c-x2');
  assert.throws(() => loadConfig({ REPLICA_ID: 'a b' }), /REPLICA_ID must be 1-128 letters/);
  assert.throws(() => loadConfig({ SESSION_LEASE_SECONDS: '0' }), /SESSION_LEASE_SECONDS must be at least 1/);
  // Two replicas of one database mark their processes apart (the orphan sweep reaps only its own).
  assert.notEqual(instanceId(loadConfig({ REPLICA_ID: 'a' })), instanceId(loadConfig({ REPLICA_ID: 'b' })));
  assert.notEqual(
    instanceId(loadConfig({ REPLICA_ID: 'a', DATABASE_URL: 'sqlite:///x.db' })),
    instanceId(loadConfig({ REPLICA_ID: 'a', DATABASE_URL: 'sqlite:///y.db' })),
  );
});
