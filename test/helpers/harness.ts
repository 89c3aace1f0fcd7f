// Starts the real server in this test process (buildApp + listen on a free
// port) against a scripted model, with its own temp database, project folder
// and CLAUDE_CONFIG_DIR, so transcripts never leak between test files.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { type App, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config/config.js';
import { ScriptedModel } from '../../src/demo/scripted-model.js';
import { TestClient } from './ws-client.js';

export interface Harness {
  url: string;
  wsUrl: string;
  key: string;
  model: ScriptedModel;
  built: App;
  dir: string;
  projectDir: string;
  env: Record<string, string>;
  client(): Promise<TestClient>;
  // biome-ignore lint/suspicious/noExplicitAny: REST bodies are untyped JSON that tests check field by field
  api(method: string, p: string, body?: unknown, key?: string | null): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** The environment of a test server: scripted model, temp database and CLI config dir, no pool. */
export function testEnv(dir: string, modelUrl: string, key: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    CLAUDE_SDK_PATTERN_API_KEY: key,
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: 'scripted',
    CLAUDE_CONFIG_DIR: path.join(dir, 'claude-config'),
    DATABASE_URL: `sqlite:///${path.join(dir, 'sessions.db')}`,
    HOST: '127.0.0.1',
    PROJECT_DIR: dir,
    PREWARM_POOL_SIZE: '0',
    PERMISSION_MODE: 'bypassPermissions',
    SHUTDOWN_GRACE_SECONDS: '5',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'ERROR',
  };
}

export function tempDir(prefix = 'csp-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function startHarness(
  overrides: Record<string, string> = {},
  opts: { model?: ScriptedModel; dir?: string; logger?: Logger } = {},
): Promise<Harness> {
  const dir = opts.dir ?? tempDir();
  const projectDir = path.join(dir, 'project');
  fs.mkdirSync(projectDir, { recursive: true });
  const ownModel = !opts.model;
  const model = opts.model ?? new ScriptedModel();
  if (ownModel) await model.start();
  const key = 'test-key-0123456789';
  const env: Record<string, string> = { ...testEnv(dir, model.url, key), PROJECT_DIR: projectDir, PORT: '0', ...overrides };
  const config = loadConfig(env);
  const built = await buildApp(config, { logger: opts.logger ?? pino({ level: config.logLevel }) });
  await built.app.listen({ host: '127.0.0.1', port: 0 });
  const addr = built.app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const wsUrl = `ws://127.0.0.1:${port}/ws/v1/chat`;
  const clients: TestClient[] = [];
  return {
    url,
    wsUrl,
    key,
    model,
    built,
    dir,
    projectDir,
    env,
    async client() {
      const c = await TestClient.connect(wsUrl, key);
      clients.push(c);
      await c.next('session_list');
      return c;
    },
    async api(method, p, body, k = key) {
      const res = await fetch(url + p, {
        method,
        headers: { ...(k !== null ? { 'X-API-Key': k } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed };
    },
    async close() {
      for (const c of clients) await c.close();
      await built.shutdown();
      await built.app.close();
      if (ownModel) await model.close();
    },
  };
}
