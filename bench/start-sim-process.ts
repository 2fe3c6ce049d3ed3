import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));

export interface SimProcess {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * The simulator in a process of its own (`signal-bridge sim`), so that what the benchmark
 * measures of the bridge (its RSS, its event loop) holds nothing of the server's.
 */
export async function startSimProcess(delayMs: number): Promise<SimProcess> {
  const child = spawn(process.execPath, [BIN, 'sim', '--port', '0', '--delay-ms', String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /ALGOGENE_BASE_URL=(\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`the simulator exited (${code}) before it listened`)));
  });
  child.stdout.resume();
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
