import type { EquityPoint } from './compute-figures.js';

const W = 640;
const H = 320;
const PAD = 48;

const escape = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/**
 * The realised equity curve as a small static SVG: a step line of cumulative P&L against time,
 * a zero line, and the first and last values and times as labels. A file to look at, not a live
 * chart (that is the status page's chart.js).
 */
export function renderEquitySvg(title: string, points: readonly EquityPoint[]): string {
  const series = [{ t: points[0] ? Date.parse(points[0].time) : 0, v: 0 }, ...points.map((p) => ({ t: Date.parse(p.time), v: p.equity }))];
  const t0 = series[0]!.t;
  const t1 = Math.max(t0 + 1, series.at(-1)!.t);
  const lo = Math.min(0, ...series.map((p) => p.v));
  const hi = Math.max(0, ...series.map((p) => p.v));
  const span = hi - lo || 1;
  const x = (t: number) => (PAD + ((t - t0) / (t1 - t0)) * (W - 2 * PAD)).toFixed(1);
  const y = (v: number) => (H - PAD - ((v - lo) / span) * (H - 2 * PAD)).toFixed(1);
  let path = `M${x(series[0]!.t)},${y(0)}`;
  for (const p of series.slice(1)) path += ` H${x(p.t)} V${y(p.v)}`;
  const last = series.at(-1)!;
  const label = (t: number) => new Date(t).toISOString().replace('T', ' ').slice(0, 16);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<title>${escape(title)}</title>`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${PAD}" y="24" font-size="14">${escape(title)}: realised P&amp;L ${last.v} over ${points.length} closed trade(s)</text>`,
    `<line x1="${PAD}" y1="${y(0)}" x2="${W - PAD}" y2="${y(0)}" stroke="#999" stroke-dasharray="4 3"/>`,
    `<text x="${PAD - 6}" y="${y(hi)}" text-anchor="end">${hi}</text>`,
    `<text x="${PAD - 6}" y="${y(lo)}" text-anchor="end">${lo}</text>`,
    `<path d="${path}" fill="none" stroke="${last.v >= 0 ? '#1a7f37' : '#cf222e'}" stroke-width="2"><desc>equity</desc></path>`,
    `<text x="${PAD}" y="${H - PAD + 18}">${label(t0)}</text>`,
    `<text x="${W - PAD}" y="${H - PAD + 18}" text-anchor="end">${label(t1)}</text>`,
    '</svg>',
    '',
  ].join('\n');
}
