#!/usr/bin/env node
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

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  isTTY: Boolean(process.stdout.isTTY),
  cwd: process.cwd(),
  env: process.env,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`signal-bridge: ${error.message}\n`);
    process.exitCode = 1;
  },
);
