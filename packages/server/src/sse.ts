import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createMcpServer } from './mcp';
import type { Metrics } from './metrics';
import type { SearchService } from './search-service';

// MCP over SSE (the older HTTP transport, BrowseComp-Plus's searcher default): GET /mcp opens the
// event stream and announces `/messages?sessionId=<id>`, where the client POSTs its JSON-RPC. The
// session id is also the recorded session's id (and the one for POST /v1/sessions/<id>/events).

export const SSE_MESSAGES_PATH = '/messages';

export interface SseMcp {
  /** Handles GET /mcp (opens a session); other methods get 405. */
  handle(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  has(session: string): boolean;
  close(): Promise<void>;
}

interface Entry {
  transport: SSEServerTransport;
  server: McpServer;
}

export function registerSseMcp(app: FastifyInstance, service: SearchService, metrics: Metrics, log: (m: string) => void): SseMcp {
  const sessions = new Map<string, Entry>();

  app.post(SSE_MESSAGES_PATH, async (request, reply) => {
    const id = (request.query as { sessionId?: unknown }).sessionId;
    const entry = typeof id === 'string' ? sessions.get(id) : undefined;
    if (!entry) return reply.code(404).send({ error: `no MCP SSE session ${JSON.stringify(id ?? null)} (open one with GET /mcp)` });
    reply.hijack();
    try {
      await entry.transport.handlePostMessage(request.raw, reply.raw, request.body);
    } catch (err) {
      log(`mcp sse transport error: ${(err as Error).message}`);
      if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'internal error' }));
    }
  });

  return {
    has: (session) => sessions.has(session),
    async handle(request, reply) {
      if (request.method !== 'GET') {
        return void reply.code(405).header('Allow', 'GET').send({ error: `MCP here is SSE: GET /mcp opens a session, then POST to ${SSE_MESSAGES_PATH}?sessionId=…` });
      }
      reply.hijack();
      const transport = new SSEServerTransport(SSE_MESSAGES_PATH, reply.raw);
      const server: McpServer = createMcpServer(service, () => ({ session: transport.sessionId, transport: 'mcp-sse', agent: clientAgent(server) }), metrics);
      sessions.set(transport.sessionId, { transport, server });
      transport.onclose = () => {
        sessions.delete(transport.sessionId);
        service.closeSession(transport.sessionId, 'disconnect');
      };
      // The client going away ends the session (the SDK's transport notices only on its own close()).
      reply.raw.on('close', () => void server.close().catch(() => undefined));
      await server.connect(transport);
    },
    async close() {
      for (const [id, e] of [...sessions]) {
        sessions.delete(id);
        service.closeSession(id, 'shutdown');
        await e.server.close().catch(() => undefined);
      }
    },
  };
}

function clientAgent(server: McpServer): { name: string; version?: string } | undefined {
  const info = server.server.getClientVersion();
  return info ? { name: info.name, ...(info.version ? { version: info.version } : {}) } : undefined;
}
