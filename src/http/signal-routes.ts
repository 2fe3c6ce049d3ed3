import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { SignalEndpoint } from '../strategy/types.js';

export const MAX_SIGNAL_BYTES = 16 * 1024;

/**
 * POST /signal/:bridge for each webhook bridge, and POST /signal when there is exactly one.
 * Bodies are read as text whatever their content type: the strategy parses them. A wrong
 * Authorization header is refused before the body is read.
 */
export async function registerSignalRoutes(
  app: FastifyInstance,
  options: { signals: ReadonlyMap<string, SignalEndpoint> },
): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: MAX_SIGNAL_BYTES }, (_request, body, done) => done(null, body));
  const only = options.signals.size === 1 ? [...options.signals.keys()][0] : undefined;

  const endpointOf = (request: FastifyRequest): [string, SignalEndpoint] | undefined => {
    const id = (request.params as { bridge?: string }).bridge ?? only;
    const endpoint = id === undefined ? undefined : options.signals.get(id);
    return id !== undefined && endpoint ? [id, endpoint] : undefined;
  };

  const route = {
    // Before the body: an unknown bridge or a wrong header costs the sender no upload.
    onRequest: async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
      const found = endpointOf(request);
      if (!found) {
        return reply.code(404).header('connection', 'close').send({ error: only === undefined && !(request.params as { bridge?: string }).bridge ? `several webhook bridges: POST /signal/<bridge id> (${[...options.signals.keys()].join(', ')})` : 'no webhook bridge here' });
      }
      if (!found[1].admits(request.headers.authorization)) return reply.code(401).header('connection', 'close').send({ error: 'unauthorized' });
      return undefined;
    },
    handler: async (request: FastifyRequest, reply: import('fastify').FastifyReply) => {
      const [, endpoint] = endpointOf(request)!;
      const body = typeof request.body === 'string' ? request.body : '';
      const answer = endpoint.receive({ authorization: request.headers.authorization, body });
      return reply.code(answer.status).send(answer.body);
    },
  };
  app.post('/signal', route);
  app.post('/signal/:bridge', route);
  const notAllowed = async (_request: FastifyRequest, reply: import('fastify').FastifyReply) => reply.code(405).header('allow', 'POST').send({ error: 'method not allowed: POST /signal' });
  for (const url of ['/signal', '/signal/:bridge']) app.route({ method: ['GET', 'PUT', 'DELETE', 'PATCH'], url, handler: notAllowed });
}
