// Entry point: load config, build the app, listen, and shut down gracefully on SIGTERM/SIGINT.
import { buildApp, StartupError } from './app.js';
import { type Config, ConfigError, loadConfig } from './config/config.js';
import { startupWarnings } from './config/startup-warnings.js';

async function main(): Promise<void> {
  // Everything the server (and each CLI it starts) creates is private to its user:
  // the database, transcripts, generated plugins, files the agent writes.
  process.umask(0o077);
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  let built: Awaited<ReturnType<typeof buildApp>>;
  try {
    built = await buildApp(config);
  } catch (e) {
    if (e instanceof StartupError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const { app } = built;
  await app.listen({ host: config.host, port: config.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const bracket = (h: string) => (h.includes(':') ? `[${h}]` : h);
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  // The URL to open from this machine; the line above it says where the server really listens.
  const base = `http://${bracket(wildcard ? '127.0.0.1' : config.host)}:${port}`;
  const listening = `  Listening on ${bracket(config.host)}:${port}${wildcard ? ' (every network interface)' : ''}${config.demoMode ? ', built-in demo model' : ''}.\n`;
  if (config.apiKeyGenerated) {
    // Printed once, like Jupyter's token: the key is new on every start unless CLAUDE_SDK_PATTERN_API_KEY is set.
    // In the fragment, the key never reaches a server log, a proxy or a Referer header.
    process.stdout.write(
      `\n  claude-sdk-pattern is running.\n${listening}` +
        `  Open this URL to chat (it carries this run's generated API key):\n\n      ${base}/chat#token=${config.apiKey}\n\n`,
    );
  } else {
    process.stdout.write(`\n  claude-sdk-pattern is running at ${base}/chat\n${listening}\n`);
  }
  for (const w of startupWarnings(built.config)) app.log.warn(w);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'signal received');
    try {
      await built.shutdown();
      await app.close();
      process.exit(0);
    } catch (e) {
      app.log.error({ err: e }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((e: unknown) => {
  process.stderr.write(`Fatal: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
