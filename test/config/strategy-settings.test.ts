import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/config-error.js';
import { catalogFrom } from '../../src/config/setting.js';
import { settings as randomSettings } from '../../strategies/random.js';
import { settings as smaCrossSettings } from '../../strategies/sma-cross.js';
import { settings as webhookSettings } from '../../strategies/webhook.js';

const strategies = catalogFrom({ random: randomSettings, 'sma-cross': smaCrossSettings, webhook: webhookSettings });
const ENV = { ALGOGENE_USER: 'u', ALGOGENE_API_KEY: 'key-0123456789', ALGOGENE_ACCOUNT_ID: 'acc', BRIDGE_INSTRUMENT: 'BTCUSD' };

function problems(env: Record<string, string>, file?: unknown): string[] {
  try {
    loadConfig(file ? { ...env, BRIDGE_CONFIG: 'b.json' } : env, { strategies, readFile: () => JSON.stringify(file) });
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("strategies' declared settings", () => {
  it('a setting comes from the bridges file, else the environment, else its default, and says which', () => {
    const file = { bridges: [{ id: 'a', account: 'a1', strategy: 'sma-cross', settings: { BRIDGE_SMA_FAST: 4 } }, { id: 'b', account: 'b1', strategy: 'sma-cross' }] };
    const config = loadConfig({ ...ENV, BRIDGE_CONFIG: 'b.json', BRIDGE_SMA_SLOW: '20' }, { strategies, readFile: () => JSON.stringify(file), envFile: { path: '/x/.env', names: new Set(['BRIDGE_SMA_SLOW']) } });
    const row = (id: string, name: string) => config.effective[id]!.find((r) => r.name === name);
    expect(config.bridges[0]!.settings).toMatchObject({ BRIDGE_SMA_FAST: '4', BRIDGE_SMA_SLOW: '20', BRIDGE_SMA_INTERVAL: 'D' });
    expect(row('a', 'BRIDGE_SMA_FAST')).toMatchObject({ value: '4', source: 'bridges file' });
    expect(row('b', 'BRIDGE_SMA_FAST')).toMatchObject({ value: '10', source: 'default' });
    expect(row('b', 'BRIDGE_SMA_SLOW')).toMatchObject({ value: '20', source: '.env' });
    expect(row('a', 'ALGOGENE_ACCOUNT_ID')).toMatchObject({ value: 'a1', source: 'bridges file' });
    expect(row('a', 'ALGOGENE_USER')).toMatchObject({ value: 'u', source: 'environment' });
  });

  it('the same rules in the environment and in the file: strict numbers, ranges, names', () => {
    expect(problems({ ...ENV, BRIDGE_STRATEGY: 'sma-cross', BRIDGE_SMA_FAST: '0x5' })).toEqual(['BRIDGE_SMA_FAST: expected a whole number of bars, 1 to 1000, got "0x5"']);
    expect(problems(ENV, { bridges: [{ id: 'a', account: 'x', strategy: 'sma-cross', settings: { BRIDGE_SMA_FAST: 0 } }] })).toEqual([
      'BRIDGE_CONFIG bridges[0].settings.BRIDGE_SMA_FAST: expected a whole number of bars, 1 to 1000, got "0"',
    ]);
    expect(problems(ENV, { bridges: [{ id: 'a', account: 'x', strategy: 'random', settings: { BRIDGE_SMA_FAST: 5 } }] })).toEqual([
      'BRIDGE_CONFIG bridges[0].settings.BRIDGE_SMA_FAST: not a setting of strategy random (it has BRIDGE_SEED)',
    ]);
  });

  it('a secret setting is required by its strategy, masked in the effective configuration and listed for the scrubber', () => {
    expect(problems({ ...ENV, BRIDGE_STRATEGY: 'webhook' })).toEqual([expect.stringMatching(/^BRIDGE_WEBHOOK_SECRET: required by strategy webhook/)]);
    const secret = 'whsec-0123456789abcdef';
    const config = loadConfig({ ...ENV, BRIDGE_STRATEGY: 'webhook', BRIDGE_WEBHOOK_SECRET: secret }, { strategies });
    expect(config.effective.main!.find((r) => r.name === 'BRIDGE_WEBHOOK_SECRET')?.value).toBe('********');
    expect(JSON.stringify(config.effective)).not.toContain(secret);
    expect(config.secrets).toEqual(expect.arrayContaining([secret, 'key-0123456789']));
  });

  it('a variable of another strategy is not a typo: random ignores BRIDGE_SMA_FAST', () => {
    expect(problems({ ...ENV, BRIDGE_STRATEGY: 'random', BRIDGE_SMA_FAST: '5' })).toEqual([]);
  });
});

describe('the maximum volume and shared accounts', () => {
  it('without BRIDGE_MAX_VOLUME the maximum is BRIDGE_VOLUME', () => {
    expect(loadConfig({ ...ENV, BRIDGE_STRATEGY: 'random', BRIDGE_VOLUME: '0.3' }, { strategies }).bridges[0]).toMatchObject({ volume: 0.3, maxVolume: 0.3 });
    expect(loadConfig({ ...ENV, BRIDGE_STRATEGY: 'random', BRIDGE_MAX_VOLUME: '2' }, { strategies }).bridges[0]).toMatchObject({ volume: 1, maxVolume: 2 });
  });

  it('two bridges on one account and instrument need shareAccount on both; another instrument or account is fine', () => {
    const base = { ...ENV, BRIDGE_STRATEGY: 'random' };
    expect(problems(base, { bridges: [{ id: 'a', account: 'x' }, { id: 'b', account: 'x' }] })).toEqual([expect.stringMatching(/^BRIDGE_CONFIG: bridges a, b all trade BTCUSD on account x: /)]);
    expect(problems(base, { bridges: [{ id: 'a', account: 'x', shareAccount: true }, { id: 'b', account: 'x', shareAccount: true }] })).toEqual([]);
    expect(problems(base, { defaults: { shareAccount: true }, bridges: [{ id: 'a', account: 'x' }, { id: 'b', account: 'x' }] })).toEqual([]);
    expect(problems(base, { bridges: [{ id: 'a', account: 'x' }, { id: 'b', account: 'x', instrument: 'ETHUSD' }, { id: 'c', account: 'y' }] })).toEqual([]);
  });
});
