import { parseSince } from '../journal/parse-since.js';
import type { CliIo } from './cli-io.js';

/** `--since` of journal and report: the time, undefined when absent, or null once it has said what is wrong. */
export function sinceOption(io: CliIo, value: string | undefined): Date | undefined | null {
  try {
    return value === undefined ? undefined : parseSince(value);
  } catch (error) {
    io.stderr.write(`config: ${(error as Error).message}\n`);
    return null;
  }
}
