import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/config-error.js';

const ENV = { ALGOGENE_USER: 'u', ALGOGENE_API_KEY: 'key-0123456789', BRIDGE_CONFIG: 'bridges.json', BRIDGE_STRATEGY: 'random', BRIDGE_INSTRUMENT: 'BTCUSD' };
const load = (file: unknown, env: Record<string, string | undefined> = ENV) => loadConfig(env, { readFile: () => JSON.stringify(file) });
const problems = (file: unknown, env?: Record<string, string | undefined>): string[] => {
  try {
    load(file, env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
};

describe('BRIDGE_CONFIG, the bridges file', () => {
  it('each bridge takes what it leaves out from defaults, then from the environment', () => {
    const config = load(
      { defaults: { policy: 'hold', volume: 2 }, bridges: [{ id: 'a', account: 'acc-a' }, { id: 'b', account: 'acc-b', volume: 3, instrument: 'ETHUSD' }] },
      { ...ENV, BRIDGE_SCHEDULE: '*/10 * * * * *', BRIDGE_STRATEGY: 'sma-cross' },
    );
    expect(config.bridges.map((b) => [b.id, b.accountId, b.policy, b.volume, b.instrument, b.schedule, b.strategy, b.user])).toEqual([
      ['a', 'acc-a', 'hold', 2, 'BTCUSD', '*/10 * * * * *', 'sma-cross', 'u'],
      ['b', 'acc-b', 'hold', 3, 'ETHUSD', '*/10 * * * * *', 'sma-cross', 'u'],
    ]);
    expect(Object.isFrozen(config.bridges[1])).toBe(true);
  });

  it('a bridge may name the variables holding its own credentials', () => {
    const config = load({ bridges: [{ id: 'a', account: 'x', userEnv: 'OTHER_USER', apiKeyEnv: 'OTHER_KEY' }] }, { ...ENV, OTHER_USER: 'v', OTHER_KEY: 'other-key-123' });
    expect(config.bridges[0]).toMatchObject({ user: 'v', apiKey: 'other-key-123' });
    expect(problems({ bridges: [{ id: 'a', account: 'x', apiKeyEnv: 'MISSING_KEY' }] })).toEqual(['BRIDGE_CONFIG bridges[0].apiKeyEnv: MISSING_KEY is not set']);
  });

  it('errors name the bridge and the field, one line each', () => {
    expect(
      problems({ bridges: [{ id: 'ok', account: 'a' }, { id: 'b', account: 'b', volume: -1, policy: 'yolo' }, { id: 'c', account: 'c', schedule: 'often' }] }),
    ).toEqual([
      'BRIDGE_CONFIG bridges[1].volume: expected a number > 0',
      'BRIDGE_CONFIG bridges[1].policy: expected reopen or hold',
      'BRIDGE_CONFIG bridges[2].schedule: expected a cron expression (5 fields, or 6 with seconds)',
    ]);
  });

  it('refuses unknown fields (a misspelt risk limit must not pass silently), duplicate ids and a missing account', () => {
    expect(problems({ bridges: [{ id: 'a', account: 'x', maxVolumes: 1 }] })).toEqual(['BRIDGE_CONFIG bridges[0]: unknown field(s) maxVolumes']);
    expect(problems({ bridges: [{ id: 'a', account: 'x' }, { id: 'a', account: 'y' }] })).toEqual(['BRIDGE_CONFIG bridges[1].id: a is used twice']);
    expect(problems({ bridges: [{ id: 'a' }] })).toEqual(['BRIDGE_CONFIG bridges[0].account: required, expected the ALGOGENE account id to publish on (or set ALGOGENE_ACCOUNT_ID)']);
    expect(problems({ bridges: [{ id: 'a.b', account: 'x' }] })).toEqual(['BRIDGE_CONFIG bridges[0].id: expected letters, digits, _ or - (at most 64)']);
  });

  it('a volume above its limit, invalid JSON and an unreadable file are errors too', () => {
    expect(problems({ bridges: [{ id: 'a', account: 'x', volume: 5, maxVolume: 2 }] })).toEqual(['BRIDGE_CONFIG bridges[0].volume: 5 is above maxVolume 2']);
    expect(() => loadConfig(ENV, { readFile: () => '{"bridges": [' })).toThrow(/BRIDGE_CONFIG: not valid JSON5: line 1, column 14: invalid end of input/);
    expect(() =>
      loadConfig(ENV, {
        readFile: () => {
          throw new Error('ENOENT');
        },
      }),
    ).toThrow(/BRIDGE_CONFIG: cannot read bridges.json: ENOENT/);
  });

  it('one bridge in real mode needs the confirmation for the whole process, and sends the real runmode', () => {
    const file = { bridges: [{ id: 'paper', account: 'x' }, { id: 'money', account: 'y', mode: 'real' }] };
    expect(problems(file)[0]).toMatch(/^BRIDGE_MODE=real \(bridge money\) .*BRIDGE_CONFIRM_REAL=yes or --confirm-real/);
    const config = loadConfig(ENV, { readFile: () => JSON.stringify(file), confirmReal: true });
    expect(config.bridges.map((b) => [b.id, b.runmode])).toEqual([
      ['paper', 'livetest'],
      ['money', 'livetrade'],
    ]);
  });

  it('without BRIDGE_CONFIG the environment describes one bridge and needs its account', () => {
    expect(() => loadConfig({ ALGOGENE_USER: 'u', ALGOGENE_API_KEY: 'k', BRIDGE_STRATEGY: 'random', BRIDGE_INSTRUMENT: 'X' })).toThrow(/ALGOGENE_ACCOUNT_ID: required/);
  });
});
