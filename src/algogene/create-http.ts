import http from 'node:http';
import https from 'node:https';

export interface HttpOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Upper bound of parallel sockets per host; the many-bridge runner sizes it to its concurrency. */
  maxSockets?: number;
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
  /** Below the base URL, e.g. `/opened_trades`. */
  readonly path: string;
  /** GET: the query string's parameters. */
  readonly query?: Readonly<Record<string, string | number>>;
  /** POST: the JSON body. */
  readonly json?: unknown;
  /** A reply longer than this is abandoned (the request fails with `code: 'EOVERSIZE'`). */
  readonly maxBytes: number;
}

export interface HttpReply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface Http {
  /** Host and port of the base URL, for messages (never the path or the query, which hold secrets). */
  readonly host: string;
  /**
   * One request. Rejects with an error carrying only a `code` (ETIMEDOUT, EOVERSIZE, ECONNRESET…):
   * never the URL, whose query string holds the key and the token.
   */
  request(request: HttpRequest): Promise<HttpReply>;
  /** TCP (or TLS) connections opened so far: the benchmark reports new connections per tick. */
  connectionsOpened(): number;
  close(): void;
}

/** A failed request: its code says what happened; its message names no URL. */
export class HttpFailure extends Error {
  constructor(readonly code: string) {
    super(`request failed (${code})`);
    this.name = 'HttpFailure';
  }
}

/**
 * One keep-alive agent for the whole process (the published example paid a new TCP and TLS
 * handshake on every call) and node:http beneath it. A general-purpose client (got) cost two to
 * three times the CPU of the request itself in option merging, hooks and event plumbing, which
 * capped a process near 1,100 calls a second; what the bridge needs of one is this file.
 * Nothing is retried here; the client decides per endpoint, because a blind retry of an order can
 * double it.
 */
export function createHttp(options: HttpOptions): Http {
  let opened = 0;
  const base = new URL(options.baseUrl.replace(/\/+$/, ''));
  const secure = base.protocol === 'https:';
  const agentOptions = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets: options.maxSockets ?? 64, scheduling: 'lifo' as const };
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const original = agent.createConnection.bind(agent) as (...args: unknown[]) => unknown;
  (agent as unknown as { createConnection: (...args: unknown[]) => unknown }).createConnection = (...args: unknown[]) => {
    opened += 1;
    return original(...args);
  };
  const send = secure ? https.request : http.request;
  const basePath = base.pathname.replace(/\/+$/, '');

  function request(req: HttpRequest): Promise<HttpReply> {
    const query = req.query ? `?${new URLSearchParams(req.query as Record<string, string>).toString()}` : '';
    const body = req.json === undefined ? undefined : JSON.stringify(req.json);
    return new Promise<HttpReply>((resolve, reject) => {
      let settled = false;
      const fail = (code: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(new HttpFailure(code));
        outgoing.destroy();
      };
      const outgoing = send(
        {
          agent,
          protocol: base.protocol,
          hostname: base.hostname,
          port: base.port,
          method: req.method,
          path: `${basePath}${req.path}${query}`,
          headers: {
            'user-agent': 'signal-bridge',
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }),
          },
        },
        (res) => {
          const declared = Number(res.headers['content-length'] ?? 0);
          if (declared > req.maxBytes) return fail('EOVERSIZE');
          const chunks: Buffer[] = [];
          let length = 0;
          res.on('data', (chunk: Buffer) => {
            length += chunk.length;
            // Stop reading past the cap: a hostile or broken server must not fill the memory.
            if (length > req.maxBytes) return fail('EOVERSIZE');
            chunks.push(chunk);
          });
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks, length).toString('utf8') });
          });
          res.on('aborted', () => fail('ECONNRESET'));
          res.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'ERROR'));
        },
      );
      // The whole request, connection to last byte, as got's `timeout.request` was.
      const timer = setTimeout(() => fail('ETIMEDOUT'), options.timeoutMs);
      outgoing.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? 'ERROR'));
      outgoing.end(body);
    });
  }

  return {
    host: base.host,
    request,
    connectionsOpened: () => opened,
    close() {
      agent.destroy();
    },
  };
}
