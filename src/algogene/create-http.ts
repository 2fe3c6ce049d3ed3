import http from 'node:http';
import https from 'node:https';
import got, { type Got } from 'got';

export interface HttpOptions {
  baseUrl: string;
  timeoutMs: number;
  /** Upper bound of parallel sockets per host; the many-bridge runner sizes it to its concurrency. */
  maxSockets?: number;
}

export interface Http {
  readonly got: Got;
  /** TCP (or TLS) connections opened so far: the benchmark reports new connections per tick. */
  connectionsOpened(): number;
  close(): void;
}

/**
 * One got instance over one keep-alive agent for the whole process: the published example
 * paid a new TCP (and TLS) handshake on every call. Retries are off here; the client decides
 * per endpoint, because a blind retry of an order can double it.
 */
export function createHttp(options: HttpOptions): Http {
  let opened = 0;
  const agentOptions = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets: options.maxSockets ?? 64, scheduling: 'lifo' as const };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  for (const agent of [httpAgent, httpsAgent]) {
    const original = agent.createConnection.bind(agent) as (...args: unknown[]) => unknown;
    (agent as unknown as { createConnection: (...args: unknown[]) => unknown }).createConnection = (...args: unknown[]) => {
      opened += 1;
      return original(...args);
    };
  }
  const instance = got.extend({
    prefixUrl: options.baseUrl.replace(/\/+$/, ''),
    agent: { http: httpAgent, https: httpsAgent },
    timeout: { request: options.timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    responseType: 'text',
    followRedirect: false,
    headers: { 'user-agent': 'signal-bridge' },
  });
  return {
    got: instance,
    connectionsOpened: () => opened,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
