import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Bridge } from '../bridge/create-bridge.js';
import { ActionRefusedError } from './action-refused-error.js';
import type { BridgeControl } from './bridge-control.js';
import { checkBearer } from './check-bearer.js';
import type { TradeWatch } from './trade-watch.js';

/**
 * POST /api/bridges/:id/close (flatten now; ?adoptOrphans=1 as close --adopt-orphans), /halt (no opens until resumed; does not flatten),
 * /resume. Each needs `Authorization: Bearer <BRIDGE_HTTP_TOKEN>`; 401 otherwise, and always
 * when the server has no token.
 */
export function registerActionRoutes(app: FastifyInstance, deps: { bridges: readonly Bridge[]; control: BridgeControl; watch: TradeWatch; token?: string }): void {
  const authorized = async (request: FastifyRequest, reply: FastifyReply) => {
    if (deps.token === undefined || !checkBearer(request.headers.authorization, deps.token)) {
      return reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized: send Authorization: Bearer <BRIDGE_HTTP_TOKEN>' });
    }
    return undefined;
  };
  const act = (name: string, run: (id: string, query: { adoptOrphans?: string }) => Promise<Record<string, unknown>>) =>
    app.post<{ Params: { id: string }; Querystring: { adoptOrphans?: string } }>(`/api/bridges/:id/${name}`, { onRequest: authorized }, async (request, reply) => {
      try {
        return await run(request.params.id, request.query);
      } catch (error) {
        if (error instanceof ActionRefusedError) return reply.code(error.status).send({ error: error.message });
        throw error;
      }
    });

  act('close', async (id, query) => {
    const results = await deps.control.close(id, { adoptOrphans: query.adoptOrphans === '1' || query.adoptOrphans === 'true' });
    void deps.watch.refresh(id, { force: true });
    return { bridge: id, ok: results.every((r) => r.outcome !== 'failed'), results };
  });
  act('halt', async (id) => {
    deps.control.halt(id);
    return { bridge: id, halted: true };
  });
  act('resume', async (id) => {
    deps.control.resume(id);
    return { bridge: id, halted: false };
  });
}
