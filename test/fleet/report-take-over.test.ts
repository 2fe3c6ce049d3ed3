/**
 * Nothing silent: an instance that takes over a bridge whose previous instance died (its lease lapsed unreleased)
 * logs the scheduled moments the bridge missed since its last tick, with first and last, and counts them in
 * signal_bridge_missed_moments_total.
 */
import { describe, expect, it } from 'vitest';
import { createTakeOverReport } from '../../src/fleet/report-take-over.js';
import { createMetrics } from '../../src/http/create-metrics.js';
import type { LeaseHolder } from '../../src/store/bridge-lease.js';
import { captureLog } from '../helpers/capture-log.js';

const T = Date.parse('2026-11-23T10:00:00.000Z');
const died = (lastTick?: number): LeaseHolder => ({ host: 'host-a', pid: 4242, instance: 'instance-a', since: '2026-11-23T09:00:00.000Z', expiresAt: T + 15_000, epoch: 3, lastTick: lastTick === undefined ? undefined : new Date(lastTick).toISOString() });

function setup(now: number, schedules: Record<string, string>) {
  const logs = captureLog();
  const metrics = createMetrics({ processMetrics: false });
  const report = createTakeOverReport({ schedules: new Map(Object.entries(schedules)), log: logs.log, count: (id, n) => metrics.missedMoments(id, n), now: () => now });
  const counted = async () => (await metrics.registry.getSingleMetricAsString('signal_bridge_missed_moments_total')).split('\n').filter((l) => !l.startsWith('#'));
  return { logs, report, counted };
}

describe('taking over a bridge from an instance that died', () => {
  it('on a seconds schedule: each moment after its last tick up to now is missed, logged with first and last, and counted', async () => {
    const { logs, report, counted } = setup(T + 17_400, { b1: '* * * * * *' });
    report('b1', died(T));
    report.close();
    const [line] = logs.lines().filter((l) => /took over a bridge/.test(l.msg));
    expect(line).toMatchObject({ level: 40, bridge: 'b1', previous: '4242@host-a', previousInstance: 'instance-a', lastTick: '2026-11-23T10:00:00.000Z', missed: 17, first: '2026-11-23T10:00:01.000Z', last: '2026-11-23T10:00:17.000Z' });
    expect(line!.msg).toBe('fleet: took over a bridge whose instance stopped without handing it over: 17 scheduled moment(s) missed since its last tick');
    expect(await counted()).toEqual(['signal_bridge_missed_moments_total{bridge="b1"} 17']);
  });

  it('bridges of one schedule are counted alike, and a schedule with no moment in the gap misses nothing (said at info)', async () => {
    const { logs, report, counted } = setup(T + 17_400, { b1: '*/5 * * * * *', b2: '*/5 * * * * *', hourly: '0 0 * * * *' });
    report('b1', died(T));
    report('b2', died(T));
    report('hourly', died(T));
    report.close();
    expect(logs.lines().filter((l) => /took over/.test(l.msg)).map((l) => [l.bridge, l.missed, l.first, l.last, l.level])).toEqual([
      ['b1', 3, '2026-11-23T10:00:05.000Z', '2026-11-23T10:00:15.000Z', 40],
      ['b2', 3, '2026-11-23T10:00:05.000Z', '2026-11-23T10:00:15.000Z', 40],
      ['hourly', 0, undefined, undefined, 30],
    ]);
    expect(await counted()).toEqual(['signal_bridge_missed_moments_total{bridge="b1"} 3', 'signal_bridge_missed_moments_total{bridge="b2"} 3']);
  });

  it('a gap longer than the hour it looks back: the last hour is counted, as at least', () => {
    const { logs, report } = setup(T + 3 * 3_600_000, { b1: '0 * * * * *' });
    report('b1', died(T));
    report.close();
    const [line] = logs.lines().filter((l) => /took over/.test(l.msg));
    expect(line).toMatchObject({ missed: 61, atLeast: true, last: '2026-11-23T13:00:00.000Z' });
    expect(line!.msg).toMatch(/at least 61 scheduled moment\(s\) missed/);
  });

  it('a previous holder that never recorded a tick: said so, nothing counted', async () => {
    const { logs, report, counted } = setup(T + 17_400, { b1: '* * * * * *' });
    report('b1', died());
    report.close();
    expect(logs.lines().filter((l) => /took over/.test(l.msg))).toMatchObject([{ level: 40, bridge: 'b1', previous: '4242@host-a', msg: expect.stringMatching(/its last tick is not on record/) }]);
    expect(await counted()).toEqual([]);
  });
});
