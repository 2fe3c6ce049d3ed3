import { writeSync } from 'node:fs';

// Runs the CLI as a child of the benchmark and reports its peak RSS (KB) on fd 3 as it exits.
process.on('exit', () => {
  writeSync(3, String(process.resourceUsage().maxRSS));
});
await import('../src/cli/bin.js');
