import { runWorker } from '../bridge/run-worker.js';
import { DEFAULT_USERS, startSimulator } from '../sim/index.js';
import { EXIT, type CliIo } from './cli-io.js';
import { withRuntime } from './with-runtime.js';

const DEMO_SCHEDULE = '*/5 * * * * *';

/**
 * `demo`: the whole product in a minute without an account. The simulator runs in this process
 * on a free port; the bridge publishes the random strategy's signals to it every 5 seconds.
 * Reads no .env and writes none; the store lives in memory.
 */
export async function demoCommand(io: CliIo, options: { ticks?: number }): Promise<number> {
  const sim = await startSimulator({ fillDelayS: 0 });
  const demoUser = DEFAULT_USERS[0];
  const say = (line: string) => io.stdout.write(`${line}\n`);
  say('signal-bridge demo: a SIMULATION. Nothing is published to ALGOGENE; no account or money is involved.');
  say(`The built-in ALGOGENE simulator is listening on ${sim.url}; the bridge ticks every 5 s with the random strategy.`);
  say('To go live: cp .env.example .env, fill ALGOGENE_USER, ALGOGENE_API_KEY, ALGOGENE_ACCOUNT_ID, then npm start.');
  say(options.ticks ? `Stopping after ${options.ticks} ticks.` : 'Press Ctrl+C to stop.');
  const env = {
    ALGOGENE_BASE_URL: sim.url,
    ALGOGENE_USER: demoUser.user,
    ALGOGENE_API_KEY: demoUser.apiKey,
    ALGOGENE_ACCOUNT_ID: 'demo-account',
    BRIDGE_ID: 'demo',
    BRIDGE_SCHEDULE: DEMO_SCHEDULE,
    BRIDGE_STORE: 'memory://',
    BRIDGE_STRATEGY: 'random',
    BRIDGE_INSTRUMENT: 'BTCUSD',
    // Seed 4 opens, flips, then closes in its first three ticks: the whole cycle in 15 seconds.
    BRIDGE_SEED: io.env.BRIDGE_SEED ?? '4',
    LOG_LEVEL: io.env.LOG_LEVEL ?? 'info',
  };
  try {
    return await withRuntime(io, {}, { withStrategies: true, logTo: 'stdout', env }, async ({ runtime, config, log }) => {
      await runWorker({ bridges: runtime.bridges, concurrency: config.concurrency, log, maxTicks: options.ticks, signal: io.signal });
      const trades = sim.books();
      const open = trades.filter((t) => t.state === 'open').length;
      say(`demo finished: ${trades.length} order(s) published to the simulator, ${open} still open there. Nothing reached ALGOGENE.`);
      return EXIT.ok;
    });
  } finally {
    await sim.close();
  }
}
