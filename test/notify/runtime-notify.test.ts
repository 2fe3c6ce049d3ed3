/** Notifications as the CLI wires them (src/cli/open-record.ts), against the simulator and local fake receivers. */
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/index.js';
import { FIXED_SIGNAL, removeTempDirs, tempDir } from '../helpers/sim-runtime.js';
import { openJournal } from '../journal/backends.js';
import { runMain } from '../journal/run-main.js';
import { startReceiver, type FakeReceiver } from './fake-receiver.js';

afterAll(removeTempDirs);

describe('a process that starts in real mode', () => {
  let sim: Simulator;
  let hook: FakeReceiver;
  let file: string;
  beforeEach(async () => {
    sim = await startSimulator();
    file = path.join(tempDir('notify'), 'bridge.sqlite');
  });
  afterEach(async () => {
    await hook.close();
    await sim.close();
  });
  const env = () => ({
    ALGOGENE_BASE_URL: sim.url,
    ALGOGENE_USER: 'demo',
    ALGOGENE_API_KEY: 'demo-key',
    ALGOGENE_ACCOUNT_ID: 'acct-real',
    BRIDGE_MODE: 'real',
    BRIDGE_CONFIRM_REAL: 'yes',
    BRIDGE_STORE: `sqlite://${file}`,
    BRIDGE_INSTRUMENT: 'BTCUSD',
    BRIDGE_STRATEGY: FIXED_SIGNAL,
    BRIDGE_TEST_SIGNAL: 'BUY',
    BRIDGE_NOTIFY_WEBHOOK_URL: `${hook.url}/alerts`,
    BRIDGE_NOTIFY_WEBHOOK_SECRET: 'a-webhook-secret-of-length',
    LOG_LEVEL: 'warn',
  });

  it('says so once, and journals the lease and the start', async () => {
    hook = await startReceiver();
    const run = await runMain(['once'], env());
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const alerts = hook.received.map((r) => r.json());
    expect(alerts).toEqual([expect.objectContaining({ bridge: 'main', title: 'started in REAL mode', text: expect.stringContaining('runmode livetrade, account acct-real') })]);
    expect(hook.received[0]!.body).not.toContain('demo-key');
    const j = await openJournal('sqlite', `sqlite://${file}`);
    try {
      const entries = await j.journal.entries({ bridge: 'main' });
      expect(entries.slice(0, 2)).toEqual([expect.objectContaining({ type: 'lease', change: 'acquired' }), expect.objectContaining({ type: 'start', mode: 'real', runmode: 'livetrade' })]);
    } finally {
      await j.close();
    }
  });

  it('a receiver that hangs delays no trade: the order is on the books while the receiver still has not answered', async () => {
    hook = await startReceiver('hang');
    const run = await runMain(['once'], env());
    expect(run.code).toBe(0);
    expect(hook.received).toHaveLength(1);
    expect(sim.books().filter((t) => t.accountid === 'acct-real' && t.runmode === 'livetrade')).toHaveLength(1);
  });
});
