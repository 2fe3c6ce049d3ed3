import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT, type CliIo } from './cli-io.js';
import { scrubbedIo } from './scrubbed-io.js';
import { createSecrets, type Secrets } from '../logging/secrets.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a whole number > 0');
  return n;
}

/**
 * Parses argv and runs one command; resolves with the exit code. Each command's module is loaded
 * when that command runs: `once` never loads the simulator, the HTTP server or the journal's
 * reports, and start-up stays short.
 */
export async function main(argv: readonly string[], processIo: Omit<CliIo, 'secrets'> & { secrets?: Secrets }): Promise<number> {
  // From here on every byte goes out through the scrubber: commands never see the raw streams.
  const secrets = processIo.secrets ?? createSecrets();
  const io = scrubbedIo({ ...processIo, secrets }, secrets);
  try {
    return await parseAndRun(argv, io);
  } catch (error) {
    io.stderr.write(`signal-bridge: ${(error as Error).message}\n`);
    return EXIT.failed;
  }
}

/** The version in package.json (two folders up from src/cli, three from dist/src/cli). */
function version(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'signal-bridge' && pkg.version) return pkg.version;
    } catch {
      // not this one
    }
  }
  return 'unknown';
}

async function parseAndRun(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = EXIT.ok;
  const program = new Command('signal-bridge')
    .description("Publish a strategy's signals to ALGOGENE")
    .version(version(), '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .option('--env <path>', 'read the environment from this file instead of ./.env')
    // The old spelling, kept working; hidden because Node has a flag of that name, which catches it when given to node.
    .addOption(new Option('--env-file <path>').hideHelp());
  const common = (cmd: Command) => cmd.addOption(new Option('--bridge <id>', 'act on this bridge only'));
  const trading = (cmd: Command) =>
    common(cmd)
      .option('--dry-run', 'log the orders that would be opened and closed; send none')
      .option('--confirm-real', 'confirm BRIDGE_MODE=real (the same as BRIDGE_CONFIRM_REAL=yes)');
  const opts = (cmd: Command) => {
    const all = { ...program.opts(), ...cmd.opts() } as Record<string, unknown>;
    return { ...all, envFile: (all.env ?? all.envFile) as string | undefined };
  };

  trading(
    program
      .command('run')
      .description('tick on schedule until stopped')
      .option('--ticks <n>', 'stop after N ticks', positiveInt)
      .option('--standby', 'if another process holds a bridge, wait and take over when it stops')
      .option('--fleet', 'share the bridges with the other instances on the same Redis store (BRIDGE_FLEET=yes does the same)'),
  ).action(async (_o, cmd: Command) => {
    code = await (await import('./run.js')).runCommand(io, opts(cmd));
  });
  trading(program.command('once').description('one tick now')).action(async (_o, cmd: Command) => {
    code = await (await import('./once.js')).onceCommand(io, opts(cmd));
  });
  common(program.command('status').description('tracked trades and what the server says of them').option('--json', 'print JSON')).action(async (_o, cmd: Command) => {
    code = await (await import('./status.js')).statusCommand(io, opts(cmd));
  });
  common(
    program
      .command('close')
      .description('close the tracked trades now and forget them')
      .option('--adopt-orphans', "also close this bridge's trades on the account that the store does not track"),
  ).action(async (_o, cmd: Command) => {
    code = await (await import('./close.js')).closeCommand(io, opts(cmd));
  });
  common(program.command('check').description('validate config, get a session token, list opened trades; sends no order')).action(async (_o, cmd: Command) => {
    code = await (await import('./check.js')).checkCommand(io, opts(cmd));
  });

  const journal = common(program.command('journal').description('the record of every event, oldest first').option('--since <time>', 'from this ISO 8601 time, or this long ago (24h, 7d)'))
    .addOption(new Option('--json', 'JSON Lines: one entry per line').conflicts('csv'))
    .option('--csv', 'CSV with a header')
    .action(async (_o, cmd: Command) => {
      code = await (await import('./journal.js')).journalCommand(io, opts(cmd));
    });
  common(journal.command('verify').description("check every bridge's hash chain; exit 1 naming the first broken entry")).action(async (_o, cmd: Command) => {
    code = await (await import('./journal.js')).journalVerifyCommand(io, { ...program.opts(), ...journal.opts(), ...cmd.opts() });
  });
  common(
    program
      .command('report')
      .description('the track record per bridge and in total, beside ALGOGENE\'s own figures')
      .option('--since <time>', 'from this ISO 8601 time, or this long ago (24h, 7d)')
      .option('--json', 'print one JSON object')
      .option('--chart <path>', 'write the equity curve as an SVG file'),
  ).action(async (_o, cmd: Command) => {
    code = await (await import('./report.js')).reportCommand(io, opts(cmd));
  });

  program
    .command('demo')
    .description('run the bridge against the built-in simulator every 5 s: nothing is published')
    .option('--ticks <n>', 'stop after N ticks', positiveInt)
    .action(async (o: { ticks?: number }) => {
      code = await (await import('./demo.js')).demoCommand(io, o);
    });
  program
    .command('sim')
    .description('run the built-in ALGOGENE simulator')
    .option('--port <n>', 'port (0 = a free one)', '0')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--token-ttl <s>', 'session token lifetime in seconds')
    .option('--fill-delay <s>', 'seconds an order stays pending before it fills')
    .option('--delay-ms <n>', 'delay added to every request')
    .option('--fail-rate <x>', 'share of requests that fail (0..1)')
    .option('--fail-kinds <list>', 'faults to draw from: 500,502,429,reset,timeout,truncated and the API kinds (src/sim/README.md)')
    .option('--fault-phase <p>', 'before, after or both: whether a fault strikes before or after the server acts')
    .option('--seed <n>', 'seed of prices and faults')
    .option('--users <list>', 'user:key[,user:key…]')
    .option('--close-delay <s>', 'seconds between close_orders and the trade leaving /opened_trades')
    .option('--invalid-session', 'an expired or unknown token gets 400 {"res": "Invalid session!"} instead of a 401')
    .option('--server-closes', 'take-profit, stop-loss and holdtime close trades by themselves')
    .option('--unlisted-fills', 'unfilled market orders show in no list (as ALGOGENE documents), only in /query_order')
    .option('--rate-limit <n>', 'calls per user per rolling minute; beyond: 400 "Exceed maximum access count"')
    .option('--accounts <list>', 'the accounts that exist: id:runmode[:off][,…] (off: isTrading false); default any')
    .option('--oversize-mb <n>', 'size of the padding of an oversize fault, in MiB')
    .action(async (o: Record<string, string | boolean | undefined>) => {
      code = await (await import('./sim.js')).simCommand(o, { out: (l) => io.stdout.write(`${l}\n`), err: (l) => io.stderr.write(`${l}\n`), signal: io.signal });
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.config;
    throw error;
  }
  return code;
}
