// The workspace routes on real-sized folders (issue 19): GET /files of a folder of 10,000 files
// and GET /changes of a git repository with 10,000 tracked files (20 modified, 5 untracked),
// each over HTTP end to end against the real server, one request at a time. The repository is
// made in the server's PROJECT_DIR (a temp folder) after it started; one session opens it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BenchClient } from '../lib/client.js';
import type { BenchConfig } from '../lib/config.js';
import type { ServerProc } from '../lib/procs.js';
import { dist, type Json, round } from '../lib/util.js';

const FILES = 10_000;

function makeRepo(project: string): void {
  const big = path.join(project, 'big');
  fs.mkdirSync(big, { recursive: true });
  for (let i = 0; i < FILES; i++) fs.writeFileSync(path.join(big, `file-${String(i).padStart(5, '0')}.ts`), `export const n${i} = ${i};\n`);
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', ...args], { cwd: project, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('commit', '-q', '-m', 'ten thousand files');
  for (let i = 0; i < 20; i++) fs.appendFileSync(path.join(big, `file-${String(i * 400).padStart(5, '0')}.ts`), `// changed ${i}\n`);
  for (let i = 0; i < 5; i++) fs.writeFileSync(path.join(project, `new-${i}.md`), `# new ${i}\n`);
}

async function timed(n: number, url: string, key: string): Promise<{ ms: number[]; bytes: number }> {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { 'X-API-Key': key } });
    const body = await res.arrayBuffer();
    ms.push(performance.now() - t0);
    if (!res.ok) throw new Error(`${url}: ${res.status} ${Buffer.from(body).toString().slice(0, 200)}`);
    bytes = body.byteLength;
  }
  return { ms, bytes };
}

export async function workspace(cfg: BenchConfig, server: ServerProc, log: (s: string) => void): Promise<Json> {
  const project = path.join(server.dir, 'project');
  const t0 = performance.now();
  makeRepo(project);
  log(`[workspace] ${FILES} files written and committed in ${round((performance.now() - t0) / 1000, 1)} s`);
  const client = await BenchClient.connect(server.wsUrl, server.key);
  try {
    const { id } = await client.create();
    const base = `${server.url}/api/v1/sessions/${id}`;
    const n = cfg.quick ? 10 : 60;
    // A few warm-up requests each: the first read of 10,000 inodes is the disk's, not ours.
    await timed(3, `${base}/files?path=big`, server.key);
    await timed(3, `${base}/changes`, server.key);
    const list = await timed(n, `${base}/files?path=big`, server.key);
    const changes = await timed(n, `${base}/changes`, server.key);
    const answer = (await (await fetch(`${base}/changes`, { headers: { 'X-API-Key': server.key } })).json()) as {
      files: unknown[];
      branch: string;
    };
    const out = {
      files: FILES,
      list_ms: dist(list.ms),
      list_bytes: list.bytes,
      changes_ms: dist(changes.ms),
      changes_files: answer.files.length,
      branch: answer.branch,
    };
    log(
      `[workspace] list ${FILES} files p50 ${out.list_ms.p50} p95 ${out.list_ms.p95} ms; changes (${out.changes_files} files) p50 ${out.changes_ms.p50} p95 ${out.changes_ms.p95} ms`,
    );
    await client.destroy(id);
    return out;
  } finally {
    client.close();
  }
}
