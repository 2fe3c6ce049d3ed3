/**
 * Keep-alive against a real server on 127.0.0.1. This file deliberately never loads nock: its
 * interceptor (@mswjs/interceptors) replaces the agent's sockets, so under nock every request
 * opens a new connection whatever the agent says.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClient } from '../../src/algogene/create-client.js';
import { createHttp, type Http } from '../../src/algogene/create-http.js';
import { createSessionTokens } from '../../src/algogene/session-tokens.js';
import { captureLog } from '../helpers/capture-log.js';

const TOKEN = 'token-local-0123456789ab';

describe('one TCP connection for the whole process', () => {
  let server: http.Server;
  let sockets: number;
  let requests: string[];
  let httpClient: Http;

  beforeEach(async () => {
    sockets = 0;
    requests = [];
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push(`${req.method} ${url.pathname}`);
      res.setHeader('content-type', 'application/json');
      if (url.pathname.endsWith('/session')) {
        res.end(JSON.stringify({ res: { token: TOKEN, expired_utc: '2099-01-01 00:00:00.000000' } }));
      } else {
        res.end(JSON.stringify({ count: 0, res: [] }));
      }
    });
    server.on('connection', () => {
      sockets += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    httpClient = createHttp({ baseUrl: `http://127.0.0.1:${port}/rest/v1`, timeoutMs: 5_000 });
  });

  afterEach(async () => {
    httpClient.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('two calls in a row reuse the first connection', async () => {
    const logs = captureLog();
    const tokens = createSessionTokens({ http: httpClient, log: logs.log, secrets: logs.secrets, user: 'u', apiKey: 'key-local-0123456789' });
    const client = createClient({ http: httpClient, log: logs.log, tokens, account: { user: 'u', apiKey: 'key-local-0123456789', accountId: 'a', runmode: 'livetest' } });

    await client.openedTrades();
    await client.pendingTrades();

    expect(requests).toEqual(['GET /rest/v1/session', 'GET /rest/v1/opened_trades', 'GET /rest/v1/pending_trades']);
    expect(httpClient.connectionsOpened()).toBe(1);
    expect(sockets).toBe(1);
  });
});
