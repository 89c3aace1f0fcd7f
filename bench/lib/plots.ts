// Hand-written SVG plots (no dependencies): latency CDFs, latency vs sessions,
// memory over time. One generic line chart does them all.
import fs from 'node:fs';
import path from 'node:path';
import type { Json } from './util.js';

interface Series {
  name: string;
  points: [number, number][];
  color?: string;
  dash?: boolean;
  width?: number;
}
interface Chart {
  title: string;
  x: string;
  y: string;
  series: Series[];
  yMin?: number;
  xLog?: boolean;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceTicks(min: number, max: number, n = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + 1e-9; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

export function lineChart(c: Chart): string {
  const W = 720;
  const H = 400;
  const L = 70;
  const R = 170;
  const T = 40;
  const B = 50;
  const pts = c.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  if (pts.length === 0) return '';
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs) === xMin ? xMin + 1 : Math.max(...xs);
  const yMin = c.yMin ?? Math.min(0, ...ys);
  const yMaxRaw = Math.max(...ys);
  const yMax = yMaxRaw === yMin ? yMin + 1 : yMaxRaw * 1.05;
  const sx = (x: number) => L + ((x - xMin) / (xMax - xMin)) * (W - L - R);
  const sy = (y: number) => H - B - ((y - yMin) / (yMax - yMin)) * (H - T - B);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2 - R / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(c.title)}</text>`);
  for (const t of niceTicks(yMin, yMax)) {
    parts.push(`<line x1="${L}" x2="${W - R}" y1="${sy(t)}" y2="${sy(t)}" stroke="#ddd"/>`);
    parts.push(`<text x="${L - 6}" y="${sy(t) + 4}" text-anchor="end">${t}</text>`);
  }
  for (const t of niceTicks(xMin, xMax, 6)) {
    parts.push(`<line x1="${sx(t)}" x2="${sx(t)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`);
    parts.push(`<text x="${sx(t)}" y="${H - B + 16}" text-anchor="middle">${t}</text>`);
  }
  parts.push(`<rect x="${L}" y="${T}" width="${W - L - R}" height="${H - T - B}" fill="none" stroke="#333"/>`);
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 10}" text-anchor="middle">${esc(c.x)}</text>`);
  parts.push(`<text transform="translate(16 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${esc(c.y)}</text>`);
  c.series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length];
    const p = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (p.length === 0) return;
    const d = p.map(([x, y], j) => `${j ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
    parts.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="${s.width ?? 2}"${s.dash ? ' stroke-dasharray="5,4"' : ''}/>`);
    if (p.length <= 12) for (const [x, y] of p) parts.push(`<circle cx="${sx(x)}" cy="${sy(y)}" r="3" fill="${color}"/>`);
    if (i < 14) {
      const ly = T + 10 + i * 18;
      parts.push(
        `<line x1="${W - R + 12}" x2="${W - R + 34}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="3"${s.dash ? ' stroke-dasharray="5,4"' : ''}/>`,
      );
      parts.push(`<text x="${W - R + 40}" y="${ly + 4}">${esc(s.name)}</text>`);
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}

const cdf = (xs: number[]): [number, number][] => {
  const s = [...xs].sort((a, b) => a - b);
  return s.map((x, i) => [x, (i + 1) / s.length]);
};

export function writePlots(r: Record<string, Json>, dir: string): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  const put = (name: string, svg: string) => {
    if (!svg) return;
    fs.writeFileSync(path.join(dir, name), `${svg}\n`);
    written.push(name);
  };
  if (r.overhead?.samples) {
    put(
      'overhead-first-delta-cdf.svg',
      lineChart({
        title: 'Send -> first text delta, pre-warmed session (CDF)',
        x: 'ms',
        y: 'fraction of turns',
        yMin: 0,
        series: [
          { name: 'bare SDK', points: cdf(r.overhead.samples.bare) },
          { name: 'platform (WS)', points: cdf(r.overhead.samples.platform) },
        ],
      }),
    );
  }
  const levels = r.concurrency?.levels as Json[] | undefined;
  if (levels?.length) {
    put(
      'concurrency-latency.svg',
      lineChart({
        title: 'Concurrent turns: latency vs sessions',
        x: 'sessions running a turn at once',
        y: 'ms',
        yMin: 0,
        series: [
          { name: 'text 1st delta p50', points: levels.map((l) => [l.sessions, l.text_first_delta_ms.p50]) },
          { name: 'text 1st delta p95', points: levels.map((l) => [l.sessions, l.text_first_delta_ms.p95]), dash: true },
          { name: 'turn total p95', points: levels.map((l) => [l.sessions, l.turn_total_ms.p95]) },
        ],
      }),
    );
    const tl = r.concurrency.timeline as { level: number; t: number; server_mb: number; clis_mb: number }[];
    put(
      'concurrency-memory.svg',
      lineChart({
        title: 'Memory during concurrency rounds',
        x: 's (rounds of each level, back to back)',
        y: 'MB',
        yMin: 0,
        series: [
          { name: 'server RSS', points: tl.map((s) => [s.t, s.server_mb]) },
          { name: 'all CLI trees / 10', points: tl.map((s) => [s.t, s.clis_mb / 10]) },
        ],
      }),
    );
  }
  if (r.soak?.samples?.length) {
    const s = r.soak.samples as { t: number; server_mb: number; sessions_mb: number[] }[];
    const n = s[0]?.sessions_mb.length ?? 0;
    put(
      'soak-memory.svg',
      lineChart({
        title: `Soak: ${r.soak.sessions} sessions x ${r.soak.turns_per_session} turns, RSS over time`,
        x: 's',
        y: 'MB',
        yMin: 0,
        series: [
          { name: 'server', points: s.map((x) => [x.t, x.server_mb]), color: '#000', width: 3 },
          ...Array.from({ length: n }, (_, i) => ({
            name: `session ${i + 1}`,
            points: s.map((x) => [x.t, x.sessions_mb[i] ?? Number.NaN] as [number, number]),
            width: 1,
          })),
        ],
      }),
    );
  }
  return written;
}
