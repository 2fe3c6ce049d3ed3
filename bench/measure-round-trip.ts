import http from 'node:http';
import { percentile, round } from './stats.js';

/**
 * What one call costs with nothing of the bridge in it: sequential GET /session over one keep-alive
 * connection to the simulator, which waits its delay before answering. The simulator's timer and
 * both ends' HTTP make a round trip a little longer than the delay; the signal-to-order rows are
 * read against two of these as well as against the nominal floor.
 */
export async function measureRoundTrip(baseUrl: string, samples: number): Promise<{ medianMs: number; p95Ms: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/session?user=demo&api_key=demo-key`);
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      http
        .get(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(performance.now() - started));
        })
        .on('error', reject);
    });
  const times: number[] = [];
  try {
    await once(); // the connection's set-up is not a round trip of a tick
    for (let i = 0; i < samples; i += 1) times.push(await once());
  } finally {
    agent.destroy();
  }
  return { medianMs: round(percentile(times, 50)), p95Ms: round(percentile(times, 95)) };
}
