// Debian's nginx in the foreground on loopback, in front of replicas, with deploy/nginx included
// verbatim (the test writes only the wrapper: its own paths, port and replica list).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from './server-process.js';

export const NGINX = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((p) => fs.existsSync(p));
const DEPLOY = path.resolve(import.meta.dirname, '../../deploy/nginx');

export interface Nginx {
  url: string;
  wsUrl: string;
  stop(): Promise<void>;
}

/** Debian's nginx in the foreground, everything it writes in `dir` (root or not), in front of `replicas`. */
export async function startNginx(dir: string, replicas: string[]): Promise<Nginx> {
  const port = await freePort();
  // Workers drop to an unprivileged user when nginx runs as root: they must reach the temp folders.
  fs.chmodSync(dir, 0o755);
  // Relative includes (routing.conf's `include replicas.conf`) resolve against the main file's folder.
  fs.writeFileSync(path.join(dir, 'replicas.conf'), replicas.map((r) => `server ${r} max_fails=1 fail_timeout=30s;\n`).join(''));
  const conf = path.join(dir, 'nginx.conf');
  fs.writeFileSync(
    conf,
    `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;
    include ${DEPLOY}/routing.conf;
    # Test only: which replica answered.
    add_header X-Test-Upstream $upstream_addr always;
    server {
        listen 127.0.0.1:${port};
        include ${DEPLOY}/locations.conf;
    }
}
`,
  );
  const args = ['-p', `${dir}/`, '-c', conf, '-e', path.join(dir, 'error.log')];
  // A config error names its line here rather than as a server that never answers.
  execFileSync(NGINX as string, ['-t', ...args], { stdio: 'pipe' });
  const child: ChildProcess = spawn(NGINX as string, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${out}${fs.readFileSync(path.join(dir, 'error.log'), 'utf8')}`);
    const ok = await fetch(`${url}/api/v1/health/live`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`nginx did not answer: ${out}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws/v1/chat`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
