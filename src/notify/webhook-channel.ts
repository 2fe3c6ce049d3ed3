import { createHmac } from 'node:crypto';
import type { Channel } from './alert.js';
import { postJson } from './post-json.js';

export const SIGNATURE_HEADER = 'x-signal-bridge-signature';

/**
 * A generic webhook: the alert as a JSON object. With a secret, the header
 * `X-Signal-Bridge-Signature: sha256=<hex HMAC-SHA256 of the body>` lets the receiver check
 * that it came from this bridge and was not altered.
 */
export function webhookChannel(options: { url: string; secret?: string; timeoutMs: number }): Channel {
  return {
    name: 'webhook',
    async send(message) {
      const body = JSON.stringify({ bridge: message.bridge ?? null, key: message.key, level: message.level, title: message.title, text: message.text, suppressed: message.suppressed, time: message.time });
      const headers = options.secret ? { [SIGNATURE_HEADER]: `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}` } : undefined;
      await postJson(options.url, body, { timeoutMs: options.timeoutMs, headers });
    },
  };
}
