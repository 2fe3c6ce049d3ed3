import type { NotifyConfig } from '../config.js';
import type { Secrets } from '../logging/secrets.js';
import type { Channel } from './alert.js';
import { chatWebhookChannel } from './chat-webhook-channel.js';
import { telegramChannel } from './telegram-channel.js';
import { webhookChannel } from './webhook-channel.js';

const TIMEOUT_MS = 5_000;

/** The channels the configuration names; their URLs and tokens join the secrets, so no log line shows them. */
export function createChannels(config: NotifyConfig, secrets: Secrets): Channel[] {
  const channels: Channel[] = [];
  const timeoutMs = config.timeoutMs ?? TIMEOUT_MS;
  if (config.webhookUrl) {
    secrets.add(config.webhookUrl);
    secrets.add(config.webhookSecret);
    channels.push(webhookChannel({ url: config.webhookUrl, secret: config.webhookSecret, timeoutMs }));
  }
  if (config.telegramToken && config.telegramChatId) {
    secrets.add(config.telegramToken);
    channels.push(telegramChannel({ api: config.telegramApi, token: config.telegramToken, chatId: config.telegramChatId, timeoutMs }));
  }
  if (config.discordUrl) {
    secrets.add(config.discordUrl);
    channels.push(chatWebhookChannel({ kind: 'discord', url: config.discordUrl, timeoutMs }));
  }
  if (config.slackUrl) {
    secrets.add(config.slackUrl);
    channels.push(chatWebhookChannel({ kind: 'slack', url: config.slackUrl, timeoutMs }));
  }
  return channels;
}
