// Rules of the code's shape that a review would otherwise have to catch: request validation stays with
// fastify (no hand parsing in api/), and api/, web/, protocol/ and config/ import in no circle.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const SRC = path.resolve(import.meta.dirname, '../src');

function sources(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The files a source imports by a relative path (type-only imports too: they tie the files as much). */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\b[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) {
    const base = path.resolve(path.dirname(file), (m[1] as string).replace(/\.js$/, ''));
    const hit = [`${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
    if (hit) out.push(hit);
  }
  return out;
}

test('REST routes hand their schemas to fastify: no attachValidation and no hand parsing of a request in api/', () => {
  for (const file of sources(path.join(SRC, 'api'))) {
    const text = fs.readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /attachValidation/, path.relative(SRC, file));
    assert.doesNotMatch(text, /\.safeParse\(req\.(body|query|params)/, path.relative(SRC, file));
  }
});

test('api/, web/, protocol/ and config/ import in no circle', () => {
  const files = ['api', 'web', 'protocol', 'config'].flatMap((d) => sources(path.join(SRC, d)));
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((g) => files.includes(g))]));
  const circles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (f: string, trail: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      circles.push([...trail.slice(trail.indexOf(f)), f].map((x) => path.relative(SRC, x)).join(' -> '));
      return;
    }
    state.set(f, 'open');
    for (const g of graph.get(f) ?? []) visit(g, [...trail, f]);
    state.set(f, 'done');
  };
  for (const f of files) visit(f, []);
  assert.deepEqual(circles, []);
  assert.ok(graph.size > 50, `read ${graph.size} files`);
});
