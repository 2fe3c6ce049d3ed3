import { writeFile } from 'node:fs/promises';
import { fetchTrackRecord, type TrackRecord } from '../algogene/track-record.js';
import { buildReport, type BridgeReport } from '../report/build-report.js';
import { computeFigures } from '../report/compute-figures.js';
import { renderEquitySvg } from '../report/render-equity-svg.js';
import { EXIT, type CliIo } from './cli-io.js';
import { sinceOption } from './since-option.js';
import { withRuntime, type CommandOptions } from './with-runtime.js';

export interface ReportOptions extends CommandOptions {
  readonly since?: string;
  readonly json?: boolean;
  readonly chart?: string;
}

/** `report`: the track record from the journal, per bridge and in total, beside ALGOGENE's figures for each account. */
export function reportCommand(io: CliIo, options: ReportOptions): Promise<number> {
  const since = sinceOption(io, options.since);
  if (since === null) return Promise.resolve(EXIT.config);
  return withRuntime(io, { ...options, bridge: undefined }, { withStrategies: false, purpose: 'inspect', logTo: 'stderr' }, async ({ runtime, config, log }) => {
    const entries = await runtime.record.journal.entries({ bridge: options.bridge, since });
    const configured = config.bridges.filter((b) => options.bridge === undefined || b.id === options.bridge);
    const records = new Map<string, TrackRecord | Error>();
    for (const b of configured) {
      if (records.has(b.accountId)) continue;
      const account = { user: b.user, apiKey: b.apiKey, accountId: b.accountId, runmode: b.runmode };
      records.set(b.accountId, await fetchTrackRecord(runtime.http, log.child({ module: 'algogene' }), account).catch((error: Error) => error));
    }
    const report = buildReport({ entries, bridges: configured.map((b) => ({ id: b.id, account: b.accountId })), records, since });
    if (options.chart) {
      const title = options.bridge ? `bridge ${options.bridge}` : 'all bridges';
      await writeFile(options.chart, renderEquitySvg(title, computeFigures(entries).equity));
    }
    if (options.json) {
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return EXIT.ok;
    }
    for (const bridge of report.bridges) io.stdout.write(describe(bridge));
    if (report.bridges.length > 1) io.stdout.write(describe({ ...report.total, id: 'TOTAL', algogene: null, differences: [], equity: [] }));
    if (options.chart) io.stdout.write(`equity curve written to ${options.chart}\n`);
    return EXIT.ok;
  });
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)} %`);
const ms = (x: number | null) => (x === null ? '-' : x >= 60_000 ? `${(x / 60_000).toFixed(1)} min` : `${Math.round(x)} ms`);

function describe(b: BridgeReport): string {
  const lines = [
    `${b.id}`,
    `  signals ${b.signals}, orders ${b.orders}, trades closed ${b.tradesClosed}, failed ticks ${b.failedTicks}`,
    `  realised P&L ${b.realisedPnl}, win rate ${pct(b.winRate)}, largest loss ${b.largestLoss}, max drawdown ${b.maxDrawdown}`,
    `  average holding ${ms(b.avgHoldingMs)}, time in market ${pct(b.timeInMarket)}, signal-to-order latency median ${ms(b.latencyMs.median)} / p95 ${ms(b.latencyMs.p95)}`,
  ];
  if (b.algogene?.error) lines.push(`  ALGOGENE (account ${b.algogene.account}): could not fetch: ${b.algogene.error}`);
  else if (b.algogene) {
    lines.push(
      `  ALGOGENE (account ${b.algogene.account}): trades closed ${b.algogene.tradesClosed ?? '-'}, TotalPnL ${b.algogene.totalPnl ?? '-'}, TradeCnt ${b.algogene.tradeCount ?? '-'}, cumulative P/L ${b.algogene.cumulativePl ?? '-'}`,
    );
  }
  for (const d of b.differences) lines.push(`  DIFFERENCE: ${d}`);
  return `${lines.join('\n')}\n`;
}
