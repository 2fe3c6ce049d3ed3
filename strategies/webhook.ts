import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StrategyLoadError } from '../src/strategy/load-strategy.js';
import { numberSetting } from '../src/strategy/number-setting.js';
import { InvalidSignalError, parseSignal, type Signal } from '../src/strategy/signal.js';
import { z } from 'zod';
import { decimal } from '../src/config/decimal.js';
import type { Setting } from '../src/config/setting.js';
import { SIGNAL_MAX_AGE_SETTING, signalMaxAgeMs } from '../src/strategy/signal-max-age.js';
import type { Strategy, StrategyContext, StrategyOptions } from '../src/strategy/types.js';

/** The largest body accepted: a signal is one word or a small JSON object. */
export const MAX_BODY_BYTES = 16 * 1024;
/** After a refusal, how much more of a body is read (and dropped) so the client still gets the reply. */
const MAX_DRAIN_BYTES = 1024 * 1024;
const MIN_SECRET_LENGTH = 16;

export const settings: readonly Setting[] = [
  { name: 'BRIDGE_WEBHOOK_SECRET', schema: z.string().min(MIN_SECRET_LENGTH), expects: `at least ${MIN_SECRET_LENGTH} characters (make one with: openssl rand -hex 32)`, secret: true, meaning: 'senders present it as "Authorization: Bearer <secret>"' },
  { name: 'BRIDGE_WEBHOOK_HOST', default: '127.0.0.1', meaning: 'address to listen on for POST /signal' },
  { name: 'BRIDGE_WEBHOOK_PORT', schema: decimal({ integer: true, min: 0, max: 65535 }), expects: 'a port number, 0 to 65535', default: '8787', meaning: 'port to listen on (0: any free port, logged at start)' },
  SIGNAL_MAX_AGE_SETTING,
];

export interface WebhookStrategy extends Strategy {
  /** `http://host:port/signal` once started (the real port when BRIDGE_WEBHOOK_PORT=0); '' before. */
  readonly url: string;
}

interface Received {
  /** The body as parseSignal accepted it (the secret field removed); safeDecide validates it again. */
  readonly answer: unknown;
  readonly signal: Signal;
  readonly receivedAt: number;
}

/**
 * `webhook`: listens on BRIDGE_WEBHOOK_HOST:BRIDGE_WEBHOOK_PORT (default 127.0.0.1:8787) for
 * `POST /signal` carrying a signal (BUY, SELL, NONE as text, or the JSON signal), authenticated
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
  const host = settings.BRIDGE_WEBHOOK_HOST?.trim() || '127.0.0.1';
  const port = numberSetting(settings, 'BRIDGE_WEBHOOK_PORT', { fallback: 8787, integer: true, min: 0, max: 65535, expects: 'a port number, 0 to 65535' });
  const maxAgeMs = signalMaxAgeMs(settings);
  const maxVolume = optionalPositive(settings.BRIDGE_MAX_VOLUME);
  const secretDigest = digest(secret);
  if ((settings.BRIDGE_POLICY ?? 'reopen').trim() !== 'hold') {
    log.warn('webhook strategy with BRIDGE_POLICY=reopen: while the latest signal is in force every tick closes the trade and opens a new one; BRIDGE_POLICY=hold keeps it');
  }

  let latest: Received | undefined;
  let server: Server | undefined;
  let url = '';

  const matches = (presented: string): boolean => timingSafeEqual(digest(presented), secretDigest);
  const redact = (text: string): string => text.split(secret).join('[REDACTED]');

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname !== '/signal') return refuse(req, res, 404, { error: 'not found: POST /signal' });
    if (req.method !== 'POST') return refuse(req, res, 405, { error: 'method not allowed: POST /signal' }, { Allow: 'POST' });

    const header = req.headers.authorization;
    // With a header, it alone decides, before the body is read.
    if (header !== undefined && !matches(bearer(header))) return refuse(req, res, 401, { error: 'unauthorized' });
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) return refuse(req, res, 413, { error: `body over ${MAX_BODY_BYTES} bytes` });
    const body = await readBody(req);
    if (body === 'too large') return refuse(req, res, 413, { error: `body over ${MAX_BODY_BYTES} bytes` });

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
    if (header === undefined && !(typeof bodySecret === 'string' && matches(bodySecret))) return refuse(req, res, 401, { error: 'unauthorized' });

    let signal: Signal;
    try {
      signal = parseSignal(value, { maxVolume });
    } catch (error) {
      if (!(error instanceof InvalidSignalError)) throw error;
      const reason = redact(error.message);
      // The invalid-JSON message quotes the body: the log gets the kind of fault only.
      log.warn({ reason: reason.startsWith('not a signal: invalid JSON') ? 'not a signal: invalid JSON' : reason }, 'webhook: refused a body that is not a signal');
      return send(res, 400, { error: reason });
    }
    latest = { answer: value, signal, receivedAt: Date.now() };
    log.info({ signal: signal.side ?? 'NONE', volume: signal.volume, takeProfit: signal.takeProfit, stopLoss: signal.stopLoss }, 'webhook: signal accepted; used from the next tick');
    send(res, 202, { accepted: true, signal: signal.side ?? 'NONE' });
  }

  function nothingFresh(ctx: StrategyContext, why: string): null {
    if (ctx.tracked) {
      throw new Error(`${why}: keeping trade ${ctx.tracked.tradeId} (a webhook without a fresh signal never closes a position; send NONE to close it)`);
    }
    ctx.log.info({ maxAgeS: maxAgeMs / 1000 }, `${why}: answering nothing`);
    return null;
  }

  const strategy: WebhookStrategy = {
    name: 'webhook',
    get url() {
      return url;
    },
    decide(ctx) {
      if (!latest) return nothingFresh(ctx, 'no webhook signal has arrived yet');
      const ageMs = ctx.time.getTime() - latest.receivedAt;
      if (ageMs > maxAgeMs) {
        return nothingFresh(ctx, `the latest webhook signal (${latest.signal.side ?? 'NONE'}) is ${(ageMs / 1000).toFixed(1)} s old, more than BRIDGE_SIGNAL_MAX_AGE_S=${maxAgeMs / 1000}`);
      }
      return latest.answer as ReturnType<Strategy['decide']>;
    },
    async start() {
      if (server) return;
      const created = createServer((req, res) => {
        handle(req, res).catch((error: unknown) => {
          log.error({ error: redact((error as Error).message) }, 'webhook: request failed');
          if (!res.headersSent) send(res, 500, { error: 'internal error' });
          else res.destroy();
        });
      });
      created.requestTimeout = 10_000;
      created.headersTimeout = 10_000;
      await new Promise<void>((resolve, reject) => {
        created.once('error', reject);
        created.listen(port, host, () => {
          created.off('error', reject);
          resolve();
        });
      }).catch((error: NodeJS.ErrnoException) => {
        throw new StrategyLoadError(`BRIDGE_WEBHOOK_PORT: cannot listen on ${host}:${port}: ${error.code ?? error.message}`);
      });
      server = created;
      const address = created.address() as AddressInfo;
      const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      url = `http://${urlHost}:${address.port}/signal`;
      log.info({ host: address.address, port: address.port, url, maxAgeS: maxAgeMs / 1000 }, 'webhook: listening for POST /signal');
    },
    async close() {
      const running = server;
      server = undefined;
      if (!running) return;
      await new Promise<void>((resolve) => {
        running.close(() => resolve());
        running.closeAllConnections();
      });
    },
  };
  return strategy;
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

/** The body as text, or 'too large' as soon as it passes MAX_BODY_BYTES (the rest is left unread). */
function readBody(req: IncomingMessage): Promise<string | 'too large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.off('data', onData);
        req.off('end', onEnd);
        req.pause();
        resolve('too large');
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Answers a refusal and closes the connection. What is left of the body is read and dropped,
 * up to a bound, so the client can read the reply instead of meeting a reset mid-upload.
 */
function refuse(req: IncomingMessage, res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  send(res, status, body, { Connection: 'close', ...headers });
  let drained = 0;
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > MAX_DRAIN_BYTES) req.destroy();
  });
  req.resume();
}
