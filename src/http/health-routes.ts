import type { FastifyInstance } from 'fastify';
import type { ServerDeps } from './create-server.js';

/** A bridge whose last this many ticks all failed makes the process unready. */
export const FAILED_TICKS_UNREADY = 3;

/**
 * /healthz: the process answers. /readyz: the store answers, this process holds every bridge's
 * lease, and no bridge failed its last FAILED_TICKS_UNREADY ticks; else 503 naming each failing
 * bridge and why. /metrics: Prometheus text.
 */
export function registerHealthRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (_request, reply) => {
    const problems: { bridge?: string; reason: string }[] = [];
    const store = await deps.storeProblem?.();
    if (store !== undefined) problems.push({ reason: `store: ${store}` });
    for (const bridge of deps.bridges) {
      const lease = deps.leases?.get(bridge.id);
      if (deps.runsHere && !deps.runsHere(bridge.id)) continue;
      if (lease && lease.validForMs() <= 0) problems.push({ bridge: bridge.id, reason: 'lease not held by this process (another process took the bridge, or the store refused the renewal)' });
      const streak = deps.history?.failingStreak(bridge.id) ?? 0;
      if (streak >= FAILED_TICKS_UNREADY) {
        problems.push({ bridge: bridge.id, reason: `the last ${streak} ticks failed; the latest: ${deps.history?.last(bridge.id)?.error ?? 'unknown'}` });
      }
    }
    if (problems.length === 0) return { ready: true, bridges: deps.bridges.length };
    return reply.code(503).send({ ready: false, problems });
  });

  const metrics = deps.metrics;
  if (metrics) {
    app.get('/metrics', async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    });
  }
}
