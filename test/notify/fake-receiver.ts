/** A local HTTP receiver for notifications: records every request; answers 200, 500, or never. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  json(): Record<string, unknown>;
}

export interface FakeReceiver {
  readonly url: string;
  readonly received: Received[];
  mode: 'ok' | 'fail' | 'hang';
  close(): Promise<void>;
}

export async function startReceiver(mode: FakeReceiver['mode'] = 'ok'): Promise<FakeReceiver> {
  const received: Received[] = [];
  const hanging: http.ServerResponse[] = [];
  const receiver: FakeReceiver = {
    url: '',
    received,
    mode,
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json: () => JSON.parse(body) as Record<string, unknown> });
      if (receiver.mode === 'hang') hanging.push(res);
      else if (receiver.mode === 'fail') res.writeHead(500).end('{"ok":false}');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  (receiver as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}
