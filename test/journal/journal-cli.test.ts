import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/journal/events.js';
import { removeTempDirs, tempDir } from '../helpers/sim-runtime.js';
import { openJournal } from './backends.js';
import { offlineEnv, runMain } from './run-main.js';

afterAll(removeTempDirs);

const events: JournalEvent[] = [
  { type: 'signal', source: 'sma-cross', side: 'BUY' },
  { type: 'order_sent', orderRef: 'sb.b1.a', side: 'BUY', volume: 1, instrument: 'BTCUSD', sentAt: '2026-11-22T10:00:00.010Z' },
  { type: 'open', orderRef: 'sb.b1.a', tradeId: '746800000001', side: 'BUY', volume: 1, instrument: 'BTCUSD', price: 30000.5, latencyMs: 104 },
  { type: 'close', tradeId: '746800000001', orderRef: 'sb.b1.a', reason: 'signal', price: 30010.25, realisedPnl: 9.75 },
  { type: 'tick_failed', reason: 'strategy timed out, "slow", after 1000 ms', errorType: 'StrategyError' },
];

describe('signal-bridge journal and journal verify (SQLite file)', () => {
  let file: string;
  let env: Record<string, string | undefined>;
  beforeEach(async () => {
    file = path.join(tempDir('journal-cli'), 'bridge.sqlite');
    env = offlineEnv(`sqlite://${file}`);
    const j = await openJournal('sqlite', `sqlite://${file}`);
    for (const event of events) await j.journal.append('b1', event);
    await j.journal.append('other', { type: 'lease', change: 'acquired' });
    await j.close();
  });
  const sql = (statement: string) => execFileSync('sqlite3', [file, statement]);

  it('--json prints one entry per line with the chain fields and the event fields', async () => {
    const run = await runMain(['journal', '--json', '--bridge', 'b1'], env);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l.seq, l.type])).toEqual([[1, 'signal'], [2, 'order_sent'], [3, 'open'], [4, 'close'], [5, 'tick_failed']]);
    for (const line of lines) expect(Object.keys(line)).toEqual(expect.arrayContaining(['bridge', 'seq', 'time', 'type', 'hash', 'prev']));
    expect(lines[3]).toMatchObject({ bridge: 'b1', tradeId: '746800000001', price: 30010.25, realisedPnl: 9.75, reason: 'signal', prev: lines[2]!.hash });
  });

  it('--csv prints a header and quotes what needs quoting; the default is one readable line per entry', async () => {
    const csv = await runMain(['journal', '--csv', '--bridge', 'b1'], env);
    const rows = csv.stdout.trim().split('\n');
    expect(rows[0]).toBe('bridge,seq,time,type,tradeId,orderRef,side,volume,instrument,price,realisedPnl,reason,details,hash,prev');
    expect(rows).toHaveLength(6);
    expect(rows[4]).toMatch(/^b1,4,[^,]+,close,746800000001,sb\.b1\.a,,,,30010\.25,9\.75,signal,,[0-9a-f]{64},[0-9a-f]{64}$/);
    expect(rows[5]).toContain('"strategy timed out, ""slow"", after 1000 ms"');
    const text = await runMain(['journal'], env);
    expect(text.stdout.trim().split('\n')).toHaveLength(6);
    expect(text.stdout).toMatch(/b1#3 {2}open +orderRef=sb\.b1\.a tradeId=746800000001 side=BUY/);
  });

  it('--since leaves out older entries; a bad --since exits 2', async () => {
    expect((await runMain(['journal', '--since', '2999-01-01'], env)).stdout).toBe('');
    expect((await runMain(['journal', '--json', '--since', '1h'], env)).stdout.trim().split('\n')).toHaveLength(6);
    const bad = await runMain(['journal', '--since', 'yesterday'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--since/);
  });

  it('verify passes on an intact journal', async () => {
    const run = await runMain(['journal', 'verify'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/bridge b1: 5 entries, chain intact/);
    expect(run.stdout).toMatch(/bridge other: 1 entries, chain intact/);
  });

  it.each([
    ['an entry edited in the file', `UPDATE journal SET entry = json_set(entry, '$.price', 1) WHERE bridge = 'b1' AND seq = 3`, 3, /edited/],
    ['an entry deleted', `DELETE FROM journal WHERE bridge = 'b1' AND seq = 2`, 2, /missing/],
    ['two entries swapped', `UPDATE journal SET entry = CASE seq WHEN 2 THEN (SELECT entry FROM journal WHERE bridge = 'b1' AND seq = 4) ELSE (SELECT entry FROM journal WHERE bridge = 'b1' AND seq = 2) END WHERE bridge = 'b1' AND seq IN (2, 4)`, 2, /swapped/],
    [
      'an entry appended by hand without the hash',
      `INSERT INTO journal (bridge, seq, time, type, hash, entry) SELECT 'b1', 6, time, 'close', '', json_remove(json_set(entry, '$.seq', 6, '$.prev', hash), '$.hash') FROM journal WHERE bridge = 'b1' AND seq = 5`,
      6,
      /no hash/,
    ],
  ])('verify fails after %s, naming the bridge and the entry', async (_what, statement, seq, reason) => {
    sql(statement);
    const run = await runMain(['journal', 'verify'], env);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`bridge b1: BROKEN at entry ${seq}: `));
    expect(run.stdout).toMatch(reason);
    // The other bridge's chain is unaffected.
    expect(run.stdout).toMatch(/bridge other: 1 entries, chain intact/);
  });
});
