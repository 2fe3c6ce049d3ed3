import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Alert } from '../../src/notify/alert.js';
import { createChannels } from '../../src/notify/create-channels.js';
import { createNotifier, type Notifier } from '../../src/notify/create-notifier.js';
import type { NotifyConfig } from '../../src/config.js';
import { captureLog, type CapturedLog } from '../helpers/capture-log.js';
import { startReceiver, type FakeReceiver } from './fake-receiver.js';

const API_KEY = 'the-api-key-0123456789';
const BOT_TOKEN = '123456:AAE-bot-token-secret';
const HMAC_KEY = 'webhook-hmac-key-0123456789';

const receivers: FakeReceiver[] = [];
afterEach(async () => {
  for (const r of receivers.splice(0)) await r.close();
});
async function receiver(mode: FakeReceiver['mode'] = 'ok') {
  const r = await startReceiver(mode);
  receivers.push(r);
  return r;
}

function config(overrides: Partial<NotifyConfig>): NotifyConfig {
  return { telegramApi: 'http://127.0.0.1:9', trades: false, failuresInRow: 3, dedupeMinutes: 10, timeoutMs: 2_000, ...overrides };
}

function notifierFor(notify: NotifyConfig, options: { now?: () => number; attempts?: number } = {}): { notifier: Notifier; logs: CapturedLog } {
  const logs = captureLog({ secrets: [API_KEY] });
  const channels = createChannels(notify, logs.secrets);
  const notifier = createNotifier({ channels, secrets: logs.secrets, log: logs.log, dedupeMs: notify.dedupeMinutes * 60_000, backoffMs: 1, attempts: options.attempts, now: options.now });
  return { notifier, logs };
}

const leak: Alert = { key: 'auth:b1', level: 'critical', bridge: 'b1', title: 'authentication failed', text: `GET /session?user=demo&api_key=${API_KEY} answered 400` };

describe('webhook channel', () => {
  it('POSTs the alert once as JSON, redacted, with an HMAC-SHA256 signature of the body', async () => {
    const hook = await receiver();
    const { notifier } = notifierFor(config({ webhookUrl: `${hook.url}/hook`, webhookSecret: HMAC_KEY }));
    notifier.notify(leak);
    await notifier.drain();
    expect(hook.received).toHaveLength(1);
    const [request] = hook.received;
    expect(request).toMatchObject({ method: 'POST', path: '/hook' });
    expect(request!.json()).toMatchObject({ bridge: 'b1', key: 'auth:b1', level: 'critical', title: 'authentication failed', suppressed: 0 });
    expect(request!.body).not.toContain(API_KEY);
    expect(request!.json().text).toContain('api_key=[REDACTED]');
    const expected = `sha256=${createHmac('sha256', HMAC_KEY).update(request!.body).digest('hex')}`;
    expect(request!.headers['x-signal-bridge-signature']).toBe(expected);
  });

  it('sends no signature header without a secret', async () => {
    const hook = await receiver();
    const { notifier } = notifierFor(config({ webhookUrl: hook.url }));
    notifier.notify(leak);
    await notifier.drain();
    expect(hook.received[0]!.headers['x-signal-bridge-signature']).toBeUndefined();
  });
});

describe('Telegram channel', () => {
  it("uses the Bot API's shape, and the bot token never reaches a log line", async () => {
    const api = await receiver('fail');
    const { notifier, logs } = notifierFor(config({ telegramApi: api.url, telegramToken: BOT_TOKEN, telegramChatId: '-100123' }), { attempts: 2 });
    notifier.notify(leak);
    await notifier.drain();
    expect(api.received).toHaveLength(2);
    expect(api.received[0]).toMatchObject({ method: 'POST', path: `/bot${BOT_TOKEN}/sendMessage` });
    expect(api.received[0]!.json()).toMatchObject({ chat_id: '-100123' });
    expect(String(api.received[0]!.json().text)).toMatch(/^\[signal-bridge b1\] authentication failed: .*api_key=\[REDACTED\]/);
    expect(logs.find('notification not delivered: giving up')).toHaveLength(1);
    expect(logs.text()).not.toContain(BOT_TOKEN);
    expect(logs.text()).not.toContain(API_KEY);
  });
});

describe('Discord and Slack', () => {
  it('post {content} and {text}', async () => {
    const discord = await receiver();
    const slack = await receiver();
    const { notifier } = notifierFor(config({ discordUrl: `${discord.url}/api/webhooks/1/x`, slackUrl: `${slack.url}/services/T/B/x` }));
    notifier.notify({ key: 'k', level: 'warning', title: 'orphan found', text: 'trade 1' });
    await notifier.drain();
    expect(discord.received.map((r) => r.json())).toEqual([{ content: '[signal-bridge] orphan found: trade 1' }]);
    expect(slack.received.map((r) => r.json())).toEqual([{ text: '[signal-bridge] orphan found: trade 1' }]);
  });
});

describe('the queue', () => {
  it('sends the same alert at most once per window, then says how many it held back', async () => {
    const hook = await receiver();
    let now = Date.parse('2026-11-22T10:00:00Z');
    const { notifier } = notifierFor(config({ webhookUrl: hook.url, dedupeMinutes: 10 }), { now: () => now });
    for (let n = 0; n < 18; n += 1) notifier.notify({ ...leak, text: `failure ${n}` });
    notifier.notify({ ...leak, key: 'auth:b2', bridge: 'b2' });
    await notifier.drain();
    expect(hook.received.map((r) => [r.json().bridge, r.json().suppressed])).toEqual([['b1', 0], ['b2', 0]]);
    now += 10 * 60_000;
    notifier.notify({ ...leak, text: 'failure 18' });
    await notifier.drain();
    expect(hook.received).toHaveLength(3);
    expect(hook.received[2]!.json()).toMatchObject({ text: 'failure 18', suppressed: 17 });
  });

  it('retries a receiver that answers 500 with backoff, then gives up with a log line', async () => {
    const hook = await receiver('fail');
    const { notifier, logs } = notifierFor(config({ webhookUrl: hook.url }), { attempts: 3 });
    notifier.notify(leak);
    await notifier.drain();
    expect(hook.received).toHaveLength(3);
    expect(logs.find('notification not delivered: giving up')[0]).toMatchObject({ channel: 'webhook', attempts: 3 });
  });

  it('returns at once while a receiver hangs, and a hung channel does not hold up another', async () => {
    const hung = await receiver('hang');
    const ok = await receiver();
    const { notifier } = notifierFor(config({ webhookUrl: hung.url, discordUrl: ok.url }));
    notifier.notify(leak);
    notifier.notify({ ...leak, key: 'other' });
    await vi.waitFor(() => expect(ok.received).toHaveLength(2));
    expect(hung.received).toHaveLength(1);
  });
});
