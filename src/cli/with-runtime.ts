import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFileSync } from 'node:fs';
import { strategiesOfBridgesFile } from '../bridges-file.js';
import { loadConfig, type Config } from '../config.js';
import { undeclaredNames } from '../config/vars.js';
import { ConfigError } from '../config-error.js';
import { createLogger, type Logger } from '../logging/create-logger.js';
import type { Secrets } from '../logging/secrets.js';
import { preflightStore } from '../store/preflight-store.js';
import { StoreError } from '../store/store-error.js';
import { StrategyLoadError } from '../strategy/load-strategy.js';
import { loadStrategyCatalog } from '../strategy/strategy-catalog.js';
import { EXIT, type CliIo } from './cli-io.js';
import { BindingError } from '../bridge/binding-error.js';
import { LeaseHeldError } from './lease-held-error.js';
import { openRuntime, type ProcessIdentity, type Runtime, type RuntimeOptions } from './open-runtime.js';
import { readEnv } from './read-env.js';

export interface CommandOptions {
  readonly envFile?: string;
  readonly confirmReal?: boolean;
  readonly dryRun?: boolean;
  readonly bridge?: string;
}

export interface RuntimeSetup {
  readonly withStrategies: boolean;
  /** trading (run, once, check) needs a strategy and an instrument; inspect (status, close) does not. */
  readonly purpose?: 'trading' | 'inspect';
  /** check loads strategies to validate them but starts none (no webhook listener). */
  readonly startStrategies?: boolean;
  /** Commands whose stdout is their answer (status, check) log to stderr. */
  readonly logTo: 'stdout' | 'stderr';
  /** The demo supplies its own environment instead of reading one. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Commands that trade hold each bridge's lease (one writer per bridge). */
  readonly lease?: boolean;
  /** A command that ends after one tick (once): its leases last this long, not three schedule intervals. */
  readonly leaseTtlMs?: number;
  /** run --standby: wait for a held lease instead of refusing. */
  readonly standby?: boolean;
  /** run --fleet (BRIDGE_FLEET does the same): leases are taken by the fleet, not at start. */
  readonly fleet?: (config: Config) => boolean;
  /** run's metrics and halts: counted and gated from outside the client and the strategies (what is needed depends on the config). */
  readonly observe?: (config: Config) => Promise<Pick<RuntimeOptions, 'metrics' | 'wrapStrategy'>>;
  /** close: another process holds a bridge; answers the exit code, or undefined to refuse as usual. */
  readonly onLeaseHeld?: (error: LeaseHeldError, ctx: { config: Config; secrets: Secrets }) => Promise<number | undefined>;
}

export interface CommandContext {
  readonly runtime: Runtime;
  readonly log: Logger;
  readonly secrets: Secrets;
  readonly config: Config;
}

/**
 * Reads the environment, validates it, opens the runtime, runs `body`, closes everything.
 * Configuration problems print one line each and give exit 2 before any network call; any
 * other failure prints its (redacted) message and gives exit 1.
 */
export async function withRuntime(io: CliIo, options: CommandOptions, setup: RuntimeSetup, body: (ctx: CommandContext) => Promise<number>): Promise<number> {
  // io's streams scrub these already (main wraps them); every value added here is masked from then on.
  const secrets = io.secrets;
  const say = (line: string) => io.stderr.write(`${line}\n`);
  let config: Config;
  let env: Readonly<Record<string, string | undefined>>;
  try {
    const read = setup.env ? { env: setup.env, names: new Set<string>(), lookedIn: io.cwd, path: '(demo)' } : readEnv(io.env, options.envFile, io.cwd);
    env = read.env;
    secrets.add(env.ALGOGENE_API_KEY);
    const catalog = await loadStrategyCatalog(strategySpecs(env), { undeclared: undeclaredNames(env) });
    config = loadConfig(env, { confirmReal: options.confirmReal, purpose: setup.purpose, strategies: catalog, envFile: read });
    for (const value of config.secrets) secrets.add(value);
    if (options.bridge !== undefined && !config.bridges.some((b) => b.id === options.bridge)) {
      throw new ConfigError([`--bridge: no bridge with id ${options.bridge} (have ${config.bridges.map((b) => b.id).join(', ')})`]);
    }
    preflightStore(config.store);
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) say(`config: ${problem}`);
      return EXIT.config;
    }
    if (error instanceof StrategyLoadError || error instanceof StoreError) {
      say(`config: ${error.message}`);
      return EXIT.config;
    }
    throw error;
  }
  const log = createLogger({ level: config.logLevel, secrets, destination: setup.logTo === 'stdout' ? io.stdout : io.stderr, pretty: io.isTTY && setup.logTo === 'stdout' });
  let runtime: Runtime;
  try {
    runtime = await openRuntime(config, {
      ...(await setup.observe?.(config)),
      log,
      secrets,
      env,
      dryRun: options.dryRun,
      withStrategies: setup.withStrategies,
      startStrategies: setup.startStrategies,
      only: options.bridge,
      stop: io.signal,
      lease: setup.lease ? thisProcess() : undefined,
      leaseTtlMs: setup.leaseTtlMs,
      fleet: setup.lease === true && setup.fleet?.(config) === true,
      standby: setup.standby
        ? async (bridgeId, holder) => {
            log.warn({ bridge: bridgeId, holder: `${holder.pid}@${holder.host}`, expiresAt: new Date(holder.expiresAt).toISOString() }, 'standing by: another process holds this bridge');
            const waitMs = Math.min(5_000, Math.max(250, holder.expiresAt - Date.now()));
            await sleep(waitMs, undefined, { signal: io.signal }).catch(() => {});
            return !io.signal.aborted;
          }
        : undefined,
    });
  } catch (error) {
    if (error instanceof LeaseHeldError && setup.onLeaseHeld) {
      const answered = await setup.onLeaseHeld(error, { config, secrets });
      if (answered !== undefined) return answered;
    }
    if (error instanceof LeaseHeldError && setup.purpose === 'inspect') {
      // close: --standby would only wait for the daemon to stop; these make the running daemon act.
      const { bridgeId, holder } = error;
      say(
        `refused: bridge ${bridgeId} is held by process ${holder.pid} on ${holder.host} (a running run): to close its trades while it runs, ` +
          `create its BRIDGE_HALT_FILE with BRIDGE_HALT_FLATTEN=yes (it closes them at its next tick and opens nothing), ` +
          `or give it an HTTP server (BRIDGE_HTTP_PORT, not 0) so that close asks it; or stop it, then run close`,
      );
      return EXIT.config;
    }
    if (error instanceof StrategyLoadError || error instanceof ConfigError || error instanceof LeaseHeldError || error instanceof BindingError) {
      say(`${error instanceof LeaseHeldError || error instanceof BindingError ? 'refused' : 'config'}: ${error.message}`);
      return EXIT.config;
    }
    if (error instanceof StoreError && /^rediss?:/.test(config.store)) {
      const { diagnoseRedis } = await import('../store/diagnose-redis.js');
      say(`config: BRIDGE_STORE: ${await diagnoseRedis(config.store)}`);
      return EXIT.config;
    }
    if (error instanceof StoreError) {
      say(`config: ${error.message}`);
      return EXIT.config;
    }
    say(`error: ${(error as Error).message}`);
    return EXIT.failed;
  }
  for (const bridge of config.bridges) {
    if (bridge.mode === 'real' && runtime.bridges.some((b) => b.id === bridge.id)) {
      log.warn(
        { bridge: bridge.id, runmode: bridge.runmode, account: bridge.accountId, maxVolume: bridge.maxVolume ?? null, maxOrdersPerHour: bridge.maxOrdersPerHour ?? null, haltFile: bridge.haltFile ?? null },
        'REAL MODE: orders are real and investors copy them',
      );
    }
  }
  try {
    return await body({ runtime, log, secrets, config });
  } catch (error) {
    log.error({ error: (error as Error).message }, 'command failed');
    return EXIT.failed;
  } finally {
    await runtime.close();
  }
}

/** The strategies the configuration names, read leniently: their modules declare settings that config must know. */
function strategySpecs(env: Readonly<Record<string, string | undefined>>): string[] {
  const specs = [env.BRIDGE_STRATEGY?.trim()];
  const file = env.BRIDGE_CONFIG?.trim();
  if (file) {
    try {
      specs.push(...strategiesOfBridgesFile(readFileSync(file, 'utf8')));
    } catch {
      // loadConfig says what is wrong with the file.
    }
  }
  return specs.filter((s): s is string => s !== undefined && s !== '');
}

function thisProcess(): ProcessIdentity {
  return {
    host: hostname(),
    pid: process.pid,
    instance: randomUUID(),
    isAlive(pid) {
      try {
        process.kill(pid, 0);
        return true;
      } catch (error) {
        // EPERM: it exists but belongs to someone else.
        return (error as NodeJS.ErrnoException).code === 'EPERM';
      }
    },
  };
}
