import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config/config.js';

test('defaults follow the configuration table', () => {
  const c = loadConfig({});
  assert.equal(c.prewarmPoolSize, 2);
  assert.equal(c.maxSessions, 10);
  assert.equal(c.maxSessionDurationSeconds, 14400);
  assert.equal(c.maxSessionRssMb, 2048);
  assert.equal(c.sessionIdleTimeoutSeconds, 1800);
  assert.equal(c.prewarmTimeoutSeconds, 60);
  assert.equal(c.databasePath, path.resolve('data/sessions.db'));
  assert.equal(c.host, '0.0.0.0');
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
  const c = loadConfig({ CLAUDE_SDK_PATTERN_API_KEY: 'secret', ANTHROPIC_API_KEY: 'sk', HTTPS_PROXY: 'http://proxy:1' });
  assert.equal(c.apiKey, 'secret');
  assert.equal(c.demoMode, false);
  assert.equal(c.childEnv.CLAUDE_SDK_PATTERN_API_KEY, undefined);
  assert.equal(c.childEnv.ANTHROPIC_API_KEY, 'sk');
  assert.equal(c.childEnv.HTTPS_PROXY, 'http://proxy:1');
  assert.equal(c.childEnv.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC, '1');
});

test('sqlite URLs: relative and absolute', () => {
  assert.equal(loadConfig({ DATABASE_URL: 'sqlite:////tmp/x/s.db' }).databasePath, '/tmp/x/s.db');
  assert.equal(loadConfig({ DATABASE_URL: 'sqlite:///rel/s.db' }).databasePath, path.resolve('rel/s.db'));
});

test('bad values name the variable in one line', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'abc' }, /^Invalid configuration: PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be at most 65535/],
    [{ MAX_SESSIONS: '0' }, /^Invalid configuration: MAX_SESSIONS must be at least 1/],
    [{ LOG_LEVEL: 'LOUD' }, /^Invalid configuration: LOG_LEVEL must be one of/],
    [{ DATABASE_URL: 'postgres://x' }, /^Invalid configuration: DATABASE_URL must look like sqlite:\/\/\//],
    [{ PERMISSION_MODE: 'yolo' }, /PERMISSION_MODE must be one of default, acceptEdits, bypassPermissions, plan/],
    [{ PREWARM_POOL_SIZE: '-1' }, /PREWARM_POOL_SIZE/],
    [{ ANTHROPIC_BASE_URL: 'not a url' }, /ANTHROPIC_BASE_URL must be a URL/],
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
