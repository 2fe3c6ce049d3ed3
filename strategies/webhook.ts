import { createHash, timingSafeEqual } from 'node:crypto';
import { StrategyLoadError } from '../src/strategy/load-strategy.js';
import { InvalidSignalError, parseSignal, type Signal } from '../src/strategy/signal.js';
import { z } from 'zod';
import type { Setting } from '../src/config/setting.js';
import { createSignalEmitter } from '../src/strategy/signal-emitter.js';
import { SIGNAL_MAX_AGE_SETTING, signalMaxAgeMs } from '../src/strategy/signal-max-age.js';
import type { SignalEndpoint, Strategy, StrategyContext, StrategyOptions } from '../src/strategy/types.js';

/** The largest body accepted: a signal is one word or a small JSON object. */
export const MAX_BODY_BYTES = 16 * 1024;
const MIN_SECRET_LENGTH = 16;

export const settings: readonly Setting[] = [
  { name: 'BRIDGE_WEBHOOK_SECRET', schema: z.string().min(MIN_SECRET_LENGTH), expects: `at least ${MIN_SECRET_LENGTH} characters (make one with: openssl rand -hex 32)`, secret: true, meaning: 'senders present it as "Authorization: Bearer <secret>"' },
  SIGNAL_MAX_AGE_SETTING,
];

export interface WebhookStrategy extends Strategy {
  readonly signalEndpoint: SignalEndpoint;
}

interface Received {
  /** The body as parseSignal accepted it (the secret field removed); safeDecide validates it again. */
  readonly answer: unknown;
  readonly signal: Signal;
  readonly receivedAt: number;
}

/**
 * `webhook`: receives `POST /signal` on `run`'s HTTP server (BRIDGE_HTTP_HOST:BRIDGE_HTTP_PORT,
 * default 127.0.0.1:8787; with several webhook bridges, `POST /signal/<bridge id>`) carrying a
 * signal (BUY, SELL, NONE as text, or the JSON signal), authenticated
 * by `Authorization: Bearer <BRIDGE_WEBHOOK_SECRET>` or, for senders that cannot set headers
 * (TradingView), by a `"secret"` field in the JSON body. 401 wrong or missing secret, 400 not a
 * signal (with the reason), 413 body over 16 KB, 202 accepted.
 *
 * The latest accepted signal stays in force, at every tick, until it is older than
 * BRIDGE_SIGNAL_MAX_AGE_S (default 300): an alert fires once, and with BRIDGE_POLICY=hold "BUY
 * until told otherwise" is what it means. Before any signal, or once the latest is stale, the
 * bridge has no fresh opinion: with no trade tracked the tick answers nothing; with a trade
 * tracked the tick fails and keeps it (a webhook that went quiet never flattens a position;
 * send NONE to close).
 */
export function create(options: StrategyOptions): WebhookStrategy {
  const { settings, log } = options;
  const secret = settings.BRIDGE_WEBHOOK_SECRET?.trim() ?? '';
  if (secret === '') {
    throw new StrategyLoadError('BRIDGE_WEBHOOK_SECRET: required by the webhook strategy: a long random string that senders present as "Authorization: Bearer <secret>" (make one with: openssl rand -hex 32)');
  }
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new StrategyLoadError(`BRIDGE_WEBHOOK_SECRET: expected at least ${MIN_SECRET_LENGTH} characters (make one with: openssl rand -hex 32)`);
  }
  for (const moved of ['BRIDGE_WEBHOOK_HOST', 'BRIDGE_WEBHOOK_PORT']) {
    if (settings[moved]?.trim()) {
      throw new StrategyLoadError(`${moved}: no longer read: POST /signal is served by run's HTTP server; set ${moved.replace('WEBHOOK', 'HTTP')} instead`);
    }
  }
  const maxAgeMs = signalMaxAgeMs(settings);
  const maxVolume = optionalPositive(settings.BRIDGE_MAX_VOLUME);
  const secretDigest = digest(secret);
  if ((settings.BRIDGE_POLICY ?? 'reopen').trim() !== 'hold') {
    log.warn('webhook strategy with BRIDGE_POLICY=reopen: while the latest signal is in force every tick closes the trade and opens a new one; BRIDGE_POLICY=hold keeps it');
  }

  let latest: Received | undefined;
  const arrivals = createSignalEmitter();

  const matches = (presented: string): boolean => timingSafeEqual(digest(presented), secretDigest);
  const redact = (text: string): string => text.split(secret).join('[REDACTED]');

  const signalEndpoint: SignalEndpoint = {
    // With a header, it alone decides, before the body is read.
    admits: (header) => header === undefined || matches(bearer(header)),
    receive({ authorization: header, body }) {
      if (!signalEndpoint.admits(header)) return { status: 401, body: { error: 'unauthorized' } };
      // A JSON body may carry the secret itself (TradingView sends no custom header); it is taken out before validation.
      let value: unknown = body;
      let bodySecret: unknown;
      const trimmed = body.trim();
      if (trimmed.startsWith('{')) {
        try {
          const parsed: unknown = JSON.parse(trimmed);
          if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
            const { secret: given, ...rest } = parsed as Record<string, unknown>;
            bodySecret = given;
            value = rest;
          }
        } catch {
          // Not JSON: parseSignal says so below, to an authenticated sender only.
        }
      }
      if (header === undefined && !(typeof bodySecret === 'string' && matches(bodySecret))) return { status: 401, body: { error: 'unauthorized' } };

      let signal: Signal;
      try {
        signal = parseSignal(value, { maxVolume });
      } catch (error) {
        if (!(error instanceof InvalidSignalError)) throw error;
        const reason = redact(error.message);
        // The invalid-JSON message quotes the body: the log gets the kind of fault only.
        log.warn({ reason: reason.startsWith('not a signal: invalid JSON') ? 'not a signal: invalid JSON' : reason }, 'webhook: refused a body that is not a signal');
        return { status: 400, body: { error: reason } };
      }
      latest = { answer: value, signal, receivedAt: Date.now() };
      log.info({ signal: signal.side ?? 'NONE', volume: signal.volume, takeProfit: signal.takeProfit, stopLoss: signal.stopLoss }, 'webhook: signal accepted');
      arrivals.emit(latest.receivedAt);
      return { status: 202, body: { accepted: true, signal: signal.side ?? 'NONE' } };
    },
  };

  function nothingFresh(ctx: StrategyContext, why: string): null {
    if (ctx.tracked) {
      throw new Error(`${why}: keeping trade ${ctx.tracked.tradeId} (a webhook without a fresh signal never closes a position; send NONE to close it)`);
    }
    ctx.log.info({ maxAgeS: maxAgeMs / 1000 }, `${why}: answering nothing`);
    return null;
  }

  return {
    name: 'webhook',
    signalEndpoint,
    // The worker ticks the bridge at once on each accepted signal (the schedule stays as a heartbeat).
    onSignal: (listener) => arrivals.on(listener),
    decide(ctx) {
      if (!latest) return nothingFresh(ctx, 'no webhook signal has arrived yet');
      const ageMs = ctx.time.getTime() - latest.receivedAt;
      if (ageMs > maxAgeMs) {
        return nothingFresh(ctx, `the latest webhook signal (${latest.signal.side ?? 'NONE'}) is ${(ageMs / 1000).toFixed(1)} s old, more than BRIDGE_SIGNAL_MAX_AGE_S=${maxAgeMs / 1000}`);
      }
      return latest.answer as ReturnType<Strategy['decide']>;
    },
  };
}

/** The token of "Bearer <token>" ('' for any other scheme). */
function bearer(header: string): string {
  const match = /^Bearer[ \t]+(.*)$/i.exec(header);
  return match?.[1]?.trim() ?? '';
}

/** SHA-256, so that timingSafeEqual compares equal lengths whatever was presented. */
function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function optionalPositive(raw: string | undefined): number | undefined {
  const value = raw === undefined || raw.trim() === '' ? NaN : Number(raw);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
