import { messageText, type Channel } from './alert.js';
import { postJson } from './post-json.js';

/** Discord ({content}) and Slack ({text}) incoming webhooks: the URL itself is the secret. */
export function chatWebhookChannel(options: { kind: 'discord' | 'slack'; url: string; timeoutMs: number }): Channel {
  return {
    name: options.kind,
    send: (message) => postJson(options.url, options.kind === 'discord' ? { content: messageText(message) } : { text: messageText(message) }, { timeoutMs: options.timeoutMs }),
  };
}
