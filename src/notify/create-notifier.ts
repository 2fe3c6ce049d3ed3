import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../logging/create-logger.js';
import type { Secrets } from '../logging/secrets.js';
import type { Alert, Channel, OutgoingMessage } from './alert.js';

export interface Notifier {
  /** Queues the alert for every channel and returns at once; never throws, never waits for a receiver. */
  notify(alert: Alert): void;
  /** Waits (at most `timeoutMs`) for the queues to empty: at shutdown, and in tests. */
  drain(timeoutMs?: number): Promise<void>;
}

export interface NotifierOptions {
  readonly channels: readonly Channel[];
  readonly secrets: Secrets;
  readonly log: Logger;
  /** The same alert (same key) at most once per window; repeats are counted into the next one sent. */
  readonly dedupeMs: number;
  readonly maxQueue?: number;
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly now?: () => number;
  /** Told of each message delivered or given up on (run's /metrics counts them). */
  readonly onOutcome?: (outcome: 'sent' | 'dropped', channel: string) => void;
}

export const NO_NOTIFIER: Notifier = { notify() {}, drain: async () => {} };

/**
 * Notifications off the tick's path: one bounded queue per channel (a slow Telegram does not hold
 * up the webhook), each worked by one loop that retries a failed send with exponential backoff
 * and then gives up with a log line. A full queue drops its oldest message (logged). Every text
 * passes through the secret scrubber before it is queued.
 */
export function createNotifier(options: NotifierOptions): Notifier {
  const { channels, secrets, log } = options;
  const now = options.now ?? Date.now;
  const maxQueue = options.maxQueue ?? 100;
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? 1_000;
  const recent = new Map<string, { sentAt: number; suppressed: number }>();
  const queues = channels.map((channel) => ({ channel, items: [] as OutgoingMessage[], running: undefined as Promise<void> | undefined }));

  async function work(queue: (typeof queues)[number]): Promise<void> {
    for (let message = queue.items.shift(); message; message = queue.items.shift()) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          await queue.channel.send(message);
          log.info({ channel: queue.channel.name, key: message.key, attempt }, 'notification sent');
          options.onOutcome?.('sent', queue.channel.name);
          break;
        } catch (error) {
          if (attempt >= attempts) {
            log.error({ channel: queue.channel.name, key: message.key, attempts: attempt, error: (error as Error).message }, 'notification not delivered: giving up');
            options.onOutcome?.('dropped', queue.channel.name);
            break;
          }
          await sleep(backoffMs * 2 ** (attempt - 1));
        }
      }
    }
  }

  function start(queue: (typeof queues)[number]): void {
    if (queue.running) return;
    queue.running = work(queue).finally(() => {
      queue.running = undefined;
      if (queue.items.length > 0) start(queue);
    });
  }

  return {
    notify(alert) {
      try {
        const at = now();
        const seen = recent.get(alert.key);
        if (seen && at - seen.sentAt < options.dedupeMs) {
          seen.suppressed += 1;
          return;
        }
        recent.set(alert.key, { sentAt: at, suppressed: 0 });
        const message: OutgoingMessage = { ...alert, title: secrets.redact(alert.title), text: secrets.redact(alert.text), time: new Date(at).toISOString(), suppressed: seen?.suppressed ?? 0 };
        for (const queue of queues) {
          if (queue.items.length >= maxQueue) {
            const dropped = queue.items.shift();
            log.warn({ channel: queue.channel.name, dropped: dropped?.key }, 'notification queue full: dropped the oldest');
            options.onOutcome?.('dropped', queue.channel.name);
          }
          queue.items.push(message);
          start(queue);
        }
      } catch (error) {
        log.error({ error: (error as Error).message }, 'notification not queued');
      }
    },
    async drain(timeoutMs = 10_000) {
      const deadline = now() + timeoutMs;
      while (queues.some((q) => q.running) && now() < deadline) {
        await Promise.race([Promise.all(queues.map((q) => q.running)), sleep(Math.max(1, deadline - now()))]);
      }
    },
  };
}
