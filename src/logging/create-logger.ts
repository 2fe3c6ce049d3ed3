import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { createRequire } from 'node:module';
import type { Secrets } from './secrets.js';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  secrets: Secrets;
  /** Where lines go; defaults to stdout. Tests pass a sink to search everything that was written. */
  destination?: NodeJS.WritableStream;
  pretty?: boolean;
}

// Field names that carry credentials wherever they appear in a logged object.
const REDACT_PATHS = [
  'api_key',
  'token',
  '*.api_key',
  '*.token',
  '*.*.api_key',
  '*.*.token',
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
];

/**
 * The one root logger. Every line passes through the secret scrubber before it reaches the
 * destination, so a key inside a URL or an error message is masked even where no path matches.
 */
export function createLogger(options: LoggerOptions): Logger {
  const target = options.destination ?? process.stdout;
  // pino-pretty is loaded only for a terminal: the daemon and the tests never pay for it.
  const sink = options.pretty ? (createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty'))({ colorize: true, singleLine: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', destination: target as NodeJS.WritableStream & { fd?: number } }) : target;
  const scrubber = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      sink.write(options.secrets.redact(chunk.toString()));
      callback();
    },
  });
  return pino(
    {
      level: options.level,
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { err: pino.stdSerializers.err },
    },
    scrubber,
  );
}
