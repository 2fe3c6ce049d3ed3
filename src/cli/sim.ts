/** `signal-bridge sim`: runs the built-in ALGOGENE simulator until the signal aborts. */
import {
  ALL_FAULT_KINDS,
  type AccountSpec,
  DEFAULT_RUNMODES,
  DEFAULT_USERS,
  FAULT_KINDS,
  FAULT_PHASES,
  type FaultKind,
  type FaultPhaseOption,
  RUNMODES,
  type Simulator,
  type StartOptions,
  startSimulator,
} from '../sim/index.js';

export interface SimCommandIo {
  out: (line: string) => void;
  err: (line: string) => void;
  signal: AbortSignal;
}

class OptionError extends Error {}

const num = (flag: string, v: string, ok: (n: number) => boolean, what: string): number => {
  // Plain decimal only: Number() would also take "0x1f", "1e3" and "Infinity".
  const n = /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isFinite(n) || !ok(n)) throw new OptionError(`invalid --${flag}: expected ${what}, got "${v}"`);
  return n;
};

/** `id:runmode[:off]`, comma-separated. */
function accountList(v: string): AccountSpec[] {
  return v.split(',').map((item) => {
    const [id = '', runmode = '', flag, ...rest] = item.trim().split(':');
    const okRunmode = (RUNMODES as readonly string[]).includes(runmode);
    if (id === '' || !okRunmode || (flag !== undefined && flag !== 'off') || rest.length) {
      throw new OptionError(`invalid --accounts: expected id:runmode[:off][,...] with runmode ${RUNMODES.join(' or ')}, got "${item.trim()}"`);
    }
    return { id, runmode: runmode as AccountSpec['runmode'], isTrading: flag !== 'off', balance: 100_000 };
  });
}

/** Options as commander hands them over (camelCase keys, string values); throws OptionError naming the flag. */
function parse(raw: Record<string, string | boolean | undefined>): StartOptions {
  const o: StartOptions = {};
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const [port, host, tokenTtl, fillDelay, delayMs, failRate, failKinds, faultPhase, seed, users] = (
    ['port', 'host', 'tokenTtl', 'fillDelay', 'delayMs', 'failRate', 'failKinds', 'faultPhase', 'seed', 'users'] as const
  ).map(str);
  const [closeDelay, rateLimit, accounts, oversizeMb] = (['closeDelay', 'rateLimit', 'accounts', 'oversizeMb'] as const).map(str);
  if (closeDelay !== undefined) o.closeDelayS = num('close-delay', closeDelay, (n) => n >= 0, 'a number of seconds >= 0');
  if (rateLimit !== undefined) o.rateLimitPerMinute = num('rate-limit', rateLimit, (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1');
  if (oversizeMb !== undefined) o.oversizeBytes = Math.round(num('oversize-mb', oversizeMb, (n) => n > 0 && n <= 512, 'a number of MiB, 0 to 512') * 1024 * 1024);
  if (accounts !== undefined) o.accounts = accountList(accounts);
  if (raw.unlistedFills === true) o.pendingMarketOrders = 'unlisted';
  if (raw.serverCloses === true) o.serverCloses = true;
  if (raw.invalidSession === true) o.badTokenReply = 'invalid-session';
  if (port !== undefined) o.port = num('port', port, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'an integer 0-65535');
  if (host !== undefined) {
    if (host.trim() === '') throw new OptionError('invalid --host: expected a host name or address');
    o.host = host.trim();
  }
  if (tokenTtl !== undefined) o.tokenTtlS = num('token-ttl', tokenTtl, (n) => n > 0, 'a positive number of seconds');
  if (fillDelay !== undefined) o.fillDelayS = num('fill-delay', fillDelay, (n) => n >= 0, 'a number of seconds >= 0');
  if (delayMs !== undefined) o.delayMs = num('delay-ms', delayMs, (n) => Number.isInteger(n) && n >= 0, 'an integer >= 0');
  if (failRate !== undefined) o.failRate = num('fail-rate', failRate, (n) => n >= 0 && n <= 1, 'a number between 0 and 1');
  if (seed !== undefined) o.seed = num('seed', seed, Number.isSafeInteger, 'an integer');
  if (failKinds !== undefined) {
    const kinds = failKinds.split(',').map((k) => k.trim());
    const bad = kinds.find((k) => !(ALL_FAULT_KINDS as readonly string[]).includes(k));
    if (bad !== undefined) throw new OptionError(`invalid --fail-kinds: "${bad}" is not one of ${ALL_FAULT_KINDS.join(',')}`);
    o.failKinds = kinds as FaultKind[];
  }
  if (faultPhase !== undefined) {
    if (!(FAULT_PHASES as readonly string[]).includes(faultPhase)) {
      throw new OptionError(`invalid --fault-phase: expected one of ${FAULT_PHASES.join(', ')}, got "${faultPhase}"`);
    }
    o.faultPhase = faultPhase as FaultPhaseOption;
  }
  if (users !== undefined) {
    // The value holds API keys, so the message never echoes it.
    const list = users.split(',').map((pair) => {
      const i = pair.indexOf(':');
      const user = pair.slice(0, i).trim();
      const apiKey = pair.slice(i + 1).trim();
      if (i < 0 || user === '' || apiKey === '') throw new OptionError('invalid --users: expected user:key[,user:key...]');
      return { user, apiKey };
    });
    if (new Set(list.map((u) => u.user)).size !== list.length) throw new OptionError('invalid --users: a user is listed twice');
    o.users = list;
  }
  return o;
}

export async function simCommand(raw: Record<string, string | boolean | undefined>, io: SimCommandIo): Promise<number> {
  let opts: StartOptions;
  try {
    opts = parse(raw);
  } catch (e) {
    if (!(e instanceof OptionError)) throw e;
    io.err(e.message);
    return 2;
  }
  let sim: Simulator;
  try {
    sim = await startSimulator(opts);
  } catch (e) {
    io.err(`cannot start the simulator: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const first = opts.users?.[0] ?? DEFAULT_USERS[0];
  io.out(`ALGOGENE simulator listening: ALGOGENE_BASE_URL=${sim.url}`);
  // Simulator credentials, not real ones: printing them is the point, so a user can copy them into a config.
  const accountsText = opts.accounts ? opts.accounts.map((a) => `${a.id} (${a.runmode}${a.isTrading === false ? ', not trading' : ''})`).join(', ') : 'any ID';
  io.out(`user: ${first.user}  api key: ${first.apiKey}  runmodes: ${DEFAULT_RUNMODES.join(', ')}  accounts: ${accountsText}`);
  const behaviour = [
    opts.fillDelayS ? `fill delay ${opts.fillDelayS} s` : '',
    opts.pendingMarketOrders === 'unlisted' ? 'unfilled orders unlisted' : '',
    opts.closeDelayS ? `close delay ${opts.closeDelayS} s` : '',
    opts.serverCloses ? 'server-side closes (take-profit, stop-loss, holdtime)' : '',
    opts.badTokenReply === 'invalid-session' ? 'stale tokens get "Invalid session!"' : '',
    opts.rateLimitPerMinute ? `rate limit ${opts.rateLimitPerMinute}/min per user` : '',
  ].filter(Boolean);
  if (behaviour.length) io.out(`behaviour: ${behaviour.join(', ')}`);
  if ((opts.failRate ?? 0) > 0) {
    io.out(`faults: rate ${opts.failRate}, kinds ${(opts.failKinds ?? FAULT_KINDS).join(',')}, phase ${opts.faultPhase ?? 'both'}`);
  }
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await sim.close();
  return 0;
}
