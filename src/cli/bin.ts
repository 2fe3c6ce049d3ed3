#!/usr/bin/env node
import { createSecrets } from '../logging/secrets.js';
import { main } from './main.js';

// The thin shim: the process's streams, environment and signals in, an exit code out.
const controller = new AbortController();
let signals = 0;
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    signals += 1;
    // A second signal means "now": the running tick is abandoned.
    if (signals > 1) process.exit(130);
    controller.abort();
  });
}

// Filled by the commands (keys, tokens as they are issued): even the last-resort lines below are scrubbed.
const secrets = createSecrets([process.env.ALGOGENE_API_KEY]);
const lastResort = (error: unknown) => {
  process.stderr.write(`signal-bridge: ${secrets.redact(error instanceof Error ? error.message : String(error))}\n`);
  process.exit(1);
};
process.on('uncaughtException', lastResort);
process.on('unhandledRejection', lastResort);

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: Boolean(process.stdout.isTTY),
  cwd: process.cwd(),
  env: process.env,
  signal: controller.signal,
  secrets,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`signal-bridge: ${secrets.redact(error.message)}\n`);
    process.exitCode = 1;
  },
);
