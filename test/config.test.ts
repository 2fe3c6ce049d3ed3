import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/config-error.js';
import { catalogFrom } from '../src/config/setting.js';
import { settings as randomSettings } from '../strategies/random.js';

const KEY = 'apikey-5f1c9a7e3b2d4c6a8e0f';
const REQUIRED = { ALGOGENE_USER: 'publisher', ALGOGENE_API_KEY: KEY, ALGOGENE_ACCOUNT_ID: 'acct-42', BRIDGE_STRATEGY: 'random', BRIDGE_INSTRUMENT: 'ETHUSD' };

function problemsOf(env: Record<string, string>, options?: Parameters<typeof loadConfig>[1]): readonly string[] {
  try {
    loadConfig(env, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('loadConfig', () => {
  it('applies the documented defaults to everything but the account, strategy and instrument', () => {
    const config = loadConfig(REQUIRED);
    expect(config).toMatchObject({
      baseUrl: 'https://algogene.com/rest/v1',
      httpTimeoutMs: 10_000,
      store: 'sqlite://data/bridge.sqlite',
      logLevel: 'info',
    });
    expect(config.bridges).toHaveLength(1);
    expect(config.bridges[0]).toMatchObject({
      user: 'publisher',
      apiKey: KEY,
      accountId: 'acct-42',
      mode: 'livetest',
      runmode: 'livetest',
      instrument: 'ETHUSD',
      volume: 1,
      maxVolume: 1,
      strategy: 'random',
      strategyTimeoutMs: 10_000,
      policy: 'reopen',
      schedule: '* * * * *',
    });
  });

  it('reads every variable it is given', () => {
    const config = loadConfig({
      ...REQUIRED,
      ALGOGENE_BASE_URL: 'http://127.0.0.1:8080/rest/v1',
      BRIDGE_INSTRUMENT: 'ETHUSD',
      BRIDGE_VOLUME: '0.25',
      BRIDGE_STRATEGY: './my-strategy.mjs',
      BRIDGE_STRATEGY_TIMEOUT_MS: '2500',
      BRIDGE_POLICY: 'hold',
      BRIDGE_SCHEDULE: '*/5 * * * *',
      BRIDGE_STORE: 'redis://127.0.0.1:6379',
      BRIDGE_HTTP_TIMEOUT_MS: '3000',
      LOG_LEVEL: 'debug',
    });
    expect(config).toMatchObject({ baseUrl: 'http://127.0.0.1:8080/rest/v1', httpTimeoutMs: 3000, store: 'redis://127.0.0.1:6379', logLevel: 'debug' });
    expect(config.bridges[0]).toMatchObject({ instrument: 'ETHUSD', volume: 0.25, strategy: './my-strategy.mjs', strategyTimeoutMs: 2500, policy: 'hold', schedule: '*/5 * * * *' });
  });

  it('treats a blank value as unset', () => {
    expect(loadConfig({ ...REQUIRED, BRIDGE_VOLUME: '  ', BRIDGE_POLICY: '' }).bridges[0]).toMatchObject({ volume: 1, policy: 'reopen' });
  });

  it.each(['ALGOGENE_USER', 'ALGOGENE_API_KEY', 'ALGOGENE_ACCOUNT_ID', 'BRIDGE_STRATEGY', 'BRIDGE_INSTRUMENT'])('%s is required', (name) => {
    const env: Record<string, string> = { ...REQUIRED };
    delete env[name];
    expect(problemsOf(env)).toEqual([expect.stringMatching(new RegExp(`^${name}: required`))]);
  });

  it.each([
    ['ALGOGENE_BASE_URL', 'ftp://algogene.com/rest/v1'],
    ['ALGOGENE_BASE_URL', 'not a url'],
    ['BRIDGE_MODE', 'paper'],
    ['BRIDGE_INSTRUMENT', 'BTC USD'],
    ['BRIDGE_VOLUME', '0'],
    ['BRIDGE_VOLUME', '-1'],
    ['BRIDGE_VOLUME', 'one'],
    ['BRIDGE_STRATEGY_TIMEOUT_MS', '0'],
    ['BRIDGE_STRATEGY_TIMEOUT_MS', '1.5'],
    ['BRIDGE_POLICY', 'flip'],
    ['BRIDGE_SCHEDULE', 'every minute'],
    ['BRIDGE_SCHEDULE', '61 * * * *'],
    ['BRIDGE_STORE', 'mysql://localhost/bridge'],
    ['BRIDGE_STORE', 'data/bridge.sqlite'],
    ['BRIDGE_HTTP_TIMEOUT_MS', '-5'],
    ['BRIDGE_HTTP_TIMEOUT_MS', 'ten'],
    ['LOG_LEVEL', 'loud'],
    ['BRIDGE_ID', 'has space'],
  ])('%s=%j gives one line naming the variable and what it expects', (name, value) => {
    const problems = problemsOf({ ...REQUIRED, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: expected .+`));
    expect(problems[0]).toContain(JSON.stringify(value));
    expect(problems[0]).not.toMatch(/ZodError|invalid_type|\[\s*\{/);
  });

  it('reports every problem at once, one line each', () => {
    const problems = problemsOf({ ALGOGENE_API_KEY: KEY, BRIDGE_INSTRUMENT: 'X', BRIDGE_VOLUME: 'x', BRIDGE_POLICY: 'y', LOG_LEVEL: 'z' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['ALGOGENE_ACCOUNT_ID', 'ALGOGENE_USER', 'BRIDGE_POLICY', 'BRIDGE_STRATEGY', 'BRIDGE_VOLUME', 'LOG_LEVEL']);
  });

  it('never echoes the API key, whatever else is wrong', () => {
    const error = (() => {
      try {
        loadConfig({ ...REQUIRED, ALGOGENE_API_KEY: `  ${KEY}  `, ALGOGENE_BASE_URL: KEY, BRIDGE_VOLUME: 'x', BRIDGE_MODE: 'real' });
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('accepted');
    })();
    // ALGOGENE_BASE_URL was (wrongly) given the key: the line names the variable but not the value.
    expect(error.problems.some((p) => p.startsWith('ALGOGENE_BASE_URL: expected'))).toBe(true);
    expect(error.message).not.toContain(KEY);
    for (const problem of error.problems) expect(problem).not.toContain(KEY);
  });

  describe('real mode', () => {
    it('is refused without confirmation, with a message saying how to confirm', () => {
      const problems = problemsOf({ ...REQUIRED, BRIDGE_MODE: 'real' });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/real money/);
      expect(problems[0]).toContain('BRIDGE_CONFIRM_REAL=yes');
      expect(problems[0]).toContain('--confirm-real');
    });

    it.each(['no', 'YES', 'true', '1'])('BRIDGE_CONFIRM_REAL=%s does not confirm', (value) => {
      expect(() => loadConfig({ ...REQUIRED, BRIDGE_MODE: 'real', BRIDGE_CONFIRM_REAL: value })).toThrow(ConfigError);
    });

    it('is accepted with BRIDGE_CONFIRM_REAL=yes and sends runmode livetrade', () => {
      const bridge = loadConfig({ ...REQUIRED, BRIDGE_MODE: 'real', BRIDGE_CONFIRM_REAL: 'yes' }).bridges[0];
      expect(bridge).toMatchObject({ mode: 'real', runmode: 'livetrade' });
    });

    it('is accepted with the confirmReal option (--confirm-real)', () => {
      expect(loadConfig({ ...REQUIRED, BRIDGE_MODE: 'real' }, { confirmReal: true }).bridges[0]?.mode).toBe('real');
    });

    it('ALGOGENE_REAL_RUNMODE is refused, saying the runmode is now always livetrade', () => {
      const problems = problemsOf({ ...REQUIRED, BRIDGE_MODE: 'real', ALGOGENE_REAL_RUNMODE: 'realtrade' }, { confirmReal: true });
      expect(problems).toEqual([expect.stringMatching(/^ALGOGENE_REAL_RUNMODE: no longer used: real mode always sends runmode livetrade.*remove it$/)]);
    });
  });

  it.each(['*/10 * * * * *', '0 * * * * *', '30 */2 * * * *'])('accepts the six-field cron %j (with seconds)', (schedule) => {
    expect(loadConfig({ ...REQUIRED, BRIDGE_SCHEDULE: schedule }).bridges[0]?.schedule).toBe(schedule);
  });

  it('returns a frozen config, down to each bridge and its settings', () => {
    const config = loadConfig({ ...REQUIRED, BRIDGE_SEED: '42' }, { strategies: catalogFrom({ random: randomSettings }) });
    const bridge = config.bridges[0];
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.bridges)).toBe(true);
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(Object.isFrozen(bridge?.settings)).toBe(true);
    expect(() => {
      (config as { store: string }).store = 'memory://';
    }).toThrow(TypeError);
    expect(() => {
      (bridge as { runmode: string }).runmode = 'livetrade';
    }).toThrow(TypeError);
    expect(bridge?.settings.BRIDGE_SEED).toBe('42');
  });

  it('does not read process.env', () => {
    process.env.ALGOGENE_USER = 'from-process-env';
    try {
      expect(problemsOf({ ALGOGENE_API_KEY: KEY, ALGOGENE_ACCOUNT_ID: 'a', BRIDGE_STRATEGY: 'random', BRIDGE_INSTRUMENT: 'X' })).toEqual([expect.stringMatching(/^ALGOGENE_USER: required/)]);
    } finally {
      delete process.env.ALGOGENE_USER;
    }
  });
});
