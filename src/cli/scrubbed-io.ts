import { Writable } from 'node:stream';
import type { Secrets } from '../logging/secrets.js';
import type { CliIo } from './cli-io.js';

/**
 * The one writer for everything the CLI prints: each command's answer, each error line, and
 * the log (whose stream ends here too) pass through the secret scrubber on their way to the
 * real stream, so that no command has to remember to redact a server's echo of a URL.
 */
export function scrubbedIo(io: CliIo, secrets: Secrets): CliIo {
  return { ...io, secrets, stdout: scrubbing(io.stdout, secrets), stderr: scrubbing(io.stderr, secrets) };
}

function scrubbing(target: NodeJS.WritableStream, secrets: Secrets): NodeJS.WritableStream {
  const stream = new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _encoding, callback) {
      target.write(secrets.redact(chunk.toString()));
      callback();
    },
  });
  // pino-pretty asks whether its destination is a terminal.
  return Object.assign(stream, { isTTY: (target as { isTTY?: boolean }).isTTY });
}
