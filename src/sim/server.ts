/** HTTP plumbing: routing under the base path, body parsing, delays, fault delivery and connection bookkeeping. */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { apiFaultReply } from './fault-replies.js';
import type { Fault, Faults } from './faults.js';
import type { FaultKind, FaultPhase } from './options.js';
import type { Handler, Params, Reply, RouteContext } from './reply.js';
import { nowUs } from './time.js';

export interface RequestLogEntry {
  seq: number;
  method: string;
  /** Path only: query strings carry the API key and token, so they are never kept. */
  path: string;
  /** HTTP status sent, or what happened instead of a reply; 0 while in flight or when the client left first. */
  status: number | 'reset' | 'timeout';
  fault: { kind: FaultKind; phase: FaultPhase; injected: boolean } | null;
  /** Arrival time, epoch ms. */
  atMs: number;
  /** The request's `user`, account (`accountid`, or `runtime_id` for strategy_*) and runmode, when it named them. */
  user: string | null;
  account: string | null;
  runmode: string | null;
  /** `orderRef` as sent (open_order, close_orders by reference, strategy_trade). */
  orderRef: string | null;
  /** `tradeIDs` / `tradeID` as sent (close, cancel, query_order, lists). */
  tradeIds: string | null;
  /** The client's TCP source port: tells apart two processes (or two connections) of the same user. */
  remotePort: number | null;
  /** The User-Agent header as sent (a client may name its process there). */
  userAgent: string | null;
  /** True when the per-user rate limit refused it. */
  rateLimited: boolean;
}

/** Decides, before the server acts, whether a request is refused (the per-user rate limit); null lets it through. */
export type Gate = (params: Params, nowMs: number) => Reply | null;

export interface RequestStats {
  total: number;
  /** Counts by path relative to the base path; paths outside the API are counted under `(other)`. */
  byPath: Record<string, number>;
  /** The most recent requests, oldest first (bounded). */
  log: RequestLogEntry[];
}

const BODY_LIMIT = 1 << 20;
const LOG_LIMIT = 10_000;
const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

const failBody = (res: string) => ({ status: 'FAIL', res });

export class SimServer {
  readonly http: http.Server;
  private readonly sockets = new Set<Socket>();
  private readonly sleepers = new Map<NodeJS.Timeout, (done: boolean) => void>();
  private connectionCount = 0;
  private seq = 0;
  private readonly byPath: Record<string, number> = {};
  private readonly log: RequestLogEntry[] = [];
  private closing: Promise<void> | null = null;

  constructor(
    private readonly routes: Map<string, Handler>,
    private readonly faults: Faults,
    private readonly basePath: string,
    keepAliveTimeoutMs: number,
    private readonly gate: Gate,
  ) {
    this.http = http.createServer((req, res) => {
      // Only a client that went away mid-body rejects; there is nobody left to answer.
      this.handle(req, res).catch(() => res.destroy());
    });
    this.http.keepAliveTimeout = keepAliveTimeoutMs;
    // Must outlast keepAliveTimeout, or an idle keep-alive socket can be cut by the headers timer first.
    this.http.headersTimeout = keepAliveTimeoutMs + 1000;
    this.http.on('connection', (socket: Socket) => {
      this.connectionCount++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve(this.http.address() as AddressInfo);
      });
    });
  }

  connections(): number {
    return this.connectionCount;
  }

  stats(): RequestStats {
    return { total: this.seq, byPath: { ...this.byPath }, log: this.log.map((e) => ({ ...e, fault: e.fault && { ...e.fault } })) };
  }

  /** Destroys every socket, hung ones included, instead of waiting for clients to hang up. */
  close(): Promise<void> {
    this.closing ??= new Promise((resolve) => {
      for (const [timer, wake] of this.sleepers) {
        clearTimeout(timer);
        wake(false);
      }
      this.sleepers.clear();
      this.http.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
    return this.closing;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    // The delay counts from the request's arrival, so that a benchmark's "known delay" is that delay.
    const arrived = performance.now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    const rel = url.pathname.startsWith(this.basePath + '/') ? url.pathname.slice(this.basePath.length) : null;
    const route = rel === null ? undefined : this.routes.get(`${method} ${rel}`);
    const entry = this.record(method, route ? rel! : '(other)', req.socket.remotePort ?? null);
    entry.userAgent = req.headers['user-agent']?.slice(0, 200) ?? null;
    if (!route) {
      const known = rel !== null && [...this.routes.keys()].some((k) => k.endsWith(` ${rel}`));
      req.resume();
      entry.status = known ? 405 : 404;
      return send(res, { status: entry.status, body: failBody(known ? 'method not allowed' : 'not found') });
    }

    const body = await readBody(req);
    if (body === null) {
      entry.status = 413;
      return send(res, { status: 413, body: failBody('request body too large'), headers: { connection: 'close' } });
    }
    if (this.faults.delayMs > 0 && !(await this.sleep(Math.max(0, arrived + this.faults.delayMs - performance.now())))) return;
    if (this.closing) return;

    const fault = this.faults.pick(rel!);
    entry.fault = fault && { ...fault };
    const params = method === 'GET' ? queryParams(url) : jsonParams(body);
    if (params) describe(entry, params);
    if (fault?.phase === 'before') return this.deliverFault(fault, null, req, res, entry, { url, body });
    const refused = params && this.gate(params, Date.now());
    if (refused) entry.rateLimited = true;
    const reply = params === null ? { status: 400, body: failBody('invalid JSON body') } : (refused ?? runRoute(route, params, { brokerRefusesClose: fault?.kind === 'close-refused' }));
    if (fault) return this.deliverFault(fault, reply, req, res, entry, { url, body });
    entry.status = reply.status;
    send(res, reply);
  }

  /** `reply` is what the server would have said had it not failed; null when it failed before acting. */
  private deliverFault(
    f: Fault,
    reply: Reply | null,
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: RequestLogEntry,
    request: { url: URL; body: Buffer },
  ): void {
    const lie = apiFaultReply(f.kind, reply, { method: req.method ?? 'GET', ...request }, this.faults.oversizeBytes);
    if (lie) {
      entry.status = lie.status;
      return send(res, lie);
    }
    switch (f.kind) {
      case '500':
        entry.status = 500;
        return send(res, { status: 500, body: failBody('internal server error') });
      case '429':
        entry.status = 429;
        return send(res, { status: 429, body: failBody('too many requests'), headers: { 'retry-after': '1' } });
      case '502':
        entry.status = 502;
        res.writeHead(502, { 'content-type': 'text/html' });
        res.end(BAD_GATEWAY_HTML);
        return;
      case 'reset':
        entry.status = 'reset';
        // RST rather than FIN, as a crashed proxy or a dropped route would look to the client.
        req.socket.resetAndDestroy();
        return;
      case 'timeout':
        // Never answer; close() or the client hanging up ends the socket.
        entry.status = 'timeout';
        return;
      case 'truncated': {
        // A well-framed response whose JSON is cut: the body reads fine and only parsing fails.
        const full = Buffer.from(JSON.stringify(reply?.body ?? failBody('request not processed')));
        const half = full.subarray(0, Math.floor(full.length / 2));
        entry.status = reply?.status ?? 200;
        res.writeHead(entry.status, { 'content-type': 'application/json', 'content-length': half.length });
        res.end(half);
        return;
      }
    }
  }

  private record(method: string, path: string, remotePort: number | null): RequestLogEntry {
    const entry: RequestLogEntry = {
      seq: ++this.seq,
      method,
      path,
      status: 0,
      fault: null,
      atMs: Date.now(),
      user: null,
      account: null,
      runmode: null,
      orderRef: null,
      tradeIds: null,
      remotePort,
      userAgent: null,
      rateLimited: false,
    };
    this.byPath[path] = (this.byPath[path] ?? 0) + 1;
    this.log.push(entry);
    if (this.log.length > LOG_LIMIT) this.log.splice(0, this.log.length - LOG_LIMIT);
    return entry;
  }

  /** Resolves false when the server closed during the wait. */
  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleepers.delete(timer);
        resolve(true);
      }, ms);
      this.sleepers.set(timer, resolve);
    });
  }
}

/** Who asked for what, for the request log; never the key or the token. */
function describe(entry: RequestLogEntry, p: Params): void {
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 200) : typeof v === 'number' ? String(v) : null);
  entry.user = text(p.user);
  entry.account = text(p.accountid) ?? text(p.runtime_id);
  entry.runmode = text(p.runmode);
  entry.orderRef = text(p.orderRef);
  entry.tradeIds = text(p.tradeIDs) ?? text(p.tradeID);
}

/** A throwing handler is a simulator bug; the client still gets an answer in the API's error shape. */
function runRoute(route: Handler, params: Params, ctx: RouteContext): Reply {
  try {
    return route(params, nowUs(), ctx);
  } catch {
    return { status: 500, body: failBody('internal error') };
  }
}

function send(res: http.ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...reply.headers,
  });
  res.end(text);
}

/** First value wins for a repeated parameter. */
function queryParams(url: URL): Params {
  // No prototype, so `?__proto__=` or `?constructor=` is just another unknown parameter.
  const p: Params = Object.create(null);
  for (const [k, v] of url.searchParams) if (!Object.hasOwn(p, k)) p[k] = v;
  return p;
}

/** The Python example posts JSON without a content-type, so the body is JSON whatever the header says. */
function jsonParams(body: Buffer): Params | null {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Params) : null;
  } catch {
    return null;
  }
}

/** Null when the body exceeds the limit. */
function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('client went away'));
    });
  });
}
