import type { FastifyInstance } from 'fastify';
import { SESSION_ID_PATTERN } from './limits';
import type { SearchService } from './search-service';
import { searchR1Document } from './tool-presets';

// POST /retrieve in the shape of BrowseComp-Plus's Search-R1 server (searcher/search_r1_server.py):
// {query} → {result: [{docid, document: {title, text}}]}, k results (the server's --k), the text cut
// to the snippet length. Recorded as a search step when the request names a session
// (X-LRAT-Session header), like every other call.

export function registerSearchR1Route(app: FastifyInstance, service: SearchService): void {
  const limits = service.limits;
  app.post(
    '/retrieve',
    {
      schema: {
        body: { type: 'object', required: ['query'], properties: { query: { type: 'string', minLength: 1, maxLength: limits.maxQueryChars } } },
        headers: { type: 'object', properties: { 'x-lrat-session': { type: 'string', pattern: SESSION_ID_PATTERN } } },
      },
    },
    async (request) => {
      const { query } = request.body as { query: string };
      const session = request.headers['x-lrat-session'] as string | undefined;
      const { results } = await service.search(query, undefined, { session, transport: 'search-r1' });
      return {
        result: results.map((r) => ({ document: searchR1Document(service.documentText(r.docid) ?? '', service.snippeter), docid: r.docid })),
      };
    },
  );
}
