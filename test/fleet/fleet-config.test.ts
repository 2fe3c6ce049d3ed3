import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/config-error.js';

const base = { ALGOGENE_USER: 'demo', ALGOGENE_API_KEY: 'demo-key', ALGOGENE_ACCOUNT_ID: 'acc', BRIDGE_STORE: 'redis://127.0.0.1:6379', BRIDGE_STRATEGY: 'random', BRIDGE_INSTRUMENT: 'BTCUSD' };

describe('BRIDGE_FLEET', () => {
  it('is off by default and with no; yes names the default fleet; any other name names its own', () => {
    expect(loadConfig(base).fleet).toBeUndefined();
    expect(loadConfig({ ...base, BRIDGE_FLEET: 'no' }).fleet).toBeUndefined();
    expect(loadConfig({ ...base, BRIDGE_FLEET: 'yes' }).fleet).toBe('default');
    expect(loadConfig({ ...base, BRIDGE_FLEET: 'eu-west_2' }).fleet).toBe('eu-west_2');
  });

  it('refuses a name that could not be part of a Redis key safely, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({ ...base, BRIDGE_FLEET: 'two words' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.join('\n')).toMatch(/^BRIDGE_FLEET: expected yes, no, or a fleet name/m);
  });
});
