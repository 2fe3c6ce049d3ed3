/** A logger whose every byte is kept in memory, so tests can read and search what was written. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logging/create-logger.js';
import { createSecrets, type Secrets } from '../../src/logging/secrets.js';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface CapturedLog {
  readonly log: Logger;
  readonly secrets: Secrets;
  /** Everything written to the stream, raw. */
  text(): string;
  /** Each line, parsed. */
  lines(): LogLine[];
  /** The lines whose message is `msg`. */
  find(msg: string): LogLine[];
}

export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

export function captureLog(options: { level?: string; secrets?: Iterable<string> } = {}): CapturedLog {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const secrets = createSecrets(options.secrets ?? []);
  const log = createLogger({ level: options.level ?? 'trace', secrets, destination });
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogLine);
  return { log, secrets, text, lines, find: (msg) => lines().filter((l) => l.msg === msg) };
}
