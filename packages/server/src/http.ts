import * as crypto from 'crypto';
import * as net from 'net';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SESSION_ID_PATTERN } from './limits';
import { createMcpServer } from './mcp';
import { Metrics } from './metrics';
import type { SearchService } from './search-service';
import { registerSearchR1Route } from './search-r1';
import { registerSseMcp } from './sse';

export interface HttpServerOptions {
  /** Bearer token required on every route but /healthz (the CLI reads LRAT_SERVER_TOKEN). */
  token?: string;
  /** How often idle sessions are looked for. Default: a quarter of the idle timeout, at most 60 s. */
  sweepIntervalMs?: number;
  /**
   * Browser origins allowed to call (an Origin header is sent by browsers only). Default: loopback
   * origins only, which blocks DNS-rebinding attacks on a server bound to 127.0.0.1 (as the MCP spec asks).
   */
  allowedOrigins?: string[];
  /**
   * Host names a request may be addressed to besides loopback, IP addresses and the bound host. Without
   * a token, a request naming another host gets 403: a web page on attacker.example whose DNS name
   * was rebound to 127.0.0.1 cannot read the API (DNS rebinding). With a token the check is off.
   */
  allowedHosts?: string[];
  /** Where unexpected (5xx) errors are reported. Default stderr. Never receives request headers. */
  onError?: (message: string) => void;
  /** MCP at /mcp: Streamable HTTP (default) or SSE (GET /mcp + POST /messages, BrowseComp-Plus's default). */
  mcpTransport?: 'streamable-http' | 'sse';
}

export interface HttpServer {
  app: FastifyInstance;
  metrics: Metrics;
  /** Starts listening; resolves to the base URL (http://host:port). */
  listen(port: number, host?: string): Promise<string>;
  /** Stops accepting, closes MCP sessions (recording them) and the service. */
  close(): Promise<void>;
}

interface McpEntry {
  transport: StreamableHTTPServerTransport;
  server: McpServer;
  lastActivity: number;
}

const SESSION = { type: 'string', pattern: SESSION_ID_PATTERN } as const;

/**
 * The HTTP face of the service (fastify): the MCP Streamable HTTP endpoint at /mcp and a JSON API.
 * Every input is schema-validated without type coercion, so a wrong type is a 400, not a guess.
 */
export function createHttpServer(service: SearchService, opts: HttpServerOptions = {}): HttpServer {
  const limits = service.limits;
  const log = opts.onError ?? ((m: string) => process.stderr.write(`lrat serve: ${m}\n`));
  const metrics = new Metrics({
    openSessions: () => service.log?.openSessions ?? 0,
    indexVersion: () => service.version,
    indexKind: () => service.kind,
    eventsWritten: () => service.log?.eventsWritten ?? 0,
    trajectoriesWritten: () => service.log?.trajectoriesWritten ?? 0,
    reloads: () => service.reloads,
  });
  const app = Fastify({
    logger: false,
    bodyLimit: limits.bodyLimitBytes,
    routerOptions: { maxParamLength: limits.maxDocidChars * 3 + 16 },
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
  });
  const mcpSessions = new Map<string, McpEntry>();
  const tokenDigest = opts.token ? digest(opts.token) : undefined;
  const allowedHosts = new Set((opts.allowedHosts ?? []).map((h) => h.toLowerCase()));

  app.addHook('onRequest', async (request, reply) => {
    const t0 = process.hrtime.bigint();
    reply.raw.once('finish', () => metrics.request(request.routeOptions.url ?? 'unmatched', request.method, reply.raw.statusCode, t0));
    const origin = request.headers.origin;
    if (typeof origin === 'string' && !originAllowed(origin, opts.allowedOrigins)) {
      return reply.code(403).send({ error: `origin ${origin} is not allowed (start the server with --allow-origin ${origin})` });
    }
    if (request.url === '/healthz') return;
    if (!tokenDigest) {
      const host = request.headers.host ?? '';
      if (!hostAllowed(host, allowedHosts)) {
        const name = hostName(host);
        return reply.code(403).send({ error: `Host ${host} is not this server's address (DNS rebinding?); start the server with --allow-host ${name}, or set LRAT_SERVER_TOKEN` });
      }
      return;
    }
    const auth = request.headers.authorization;
    const given = typeof auth === 'string' && auth.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (!given || !crypto.timingSafeEqual(digest(given), tokenDigest)) {
      reply.header('WWW-Authenticate', 'Bearer realm="lrat"');
      return reply.code(401).send({ error: 'missing or wrong bearer token' });
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _request, reply) => {
    const status = err.statusCode ?? (err.validation ? 400 : 500);
    if (status >= 500) log(`internal error: ${err.message}`);
    const message = status === 415 ? `unsupported Content-Type: send application/json` : err.message;
    return reply.code(status).send({ error: status >= 500 ? 'internal error' : message });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));

  app.get('/healthz', async () => ({ status: 'ok', index: { kind: service.kind, version: service.version } }));

  app.get('/metrics', async (_request, reply) => reply.type('text/plain; version=0.0.4').send(metrics.render()));

  registerSearchR1Route(app, service);
  const sse = opts.mcpTransport === 'sse' ? registerSseMcp(app, service, metrics, log) : undefined;

  app.post(
    '/v1/search',
    {
      schema: {
        body: {
          type: 'object',
          required: ['query'],
          properties: {
            query: { type: 'string', minLength: 1, maxLength: limits.maxQueryChars },
            k: { type: 'integer', minimum: 1, maximum: limits.maxK },
            session: SESSION,
            reasoning: { type: 'string', maxLength: limits.maxTextChars },
          },
        },
      },
    },
    async (request, reply) => {
      const body = request.body as { query: string; k?: number; session?: string; reasoning?: string };
      const session = sessionOf(request, body.session);
      const { results, version } = await service.search(body.query, body.k, { session, transport: 'http', reasoning: body.reasoning, agent: agentOf(request) });
      reply.header('X-LRAT-Index-Version', version);
      return { results };
    },
  );

  app.get(
    '/v1/documents/:docid',
    {
      schema: {
        params: { type: 'object', properties: { docid: { type: 'string', minLength: 1, maxLength: limits.maxDocidChars } } },
        querystring: { type: 'object', properties: { session: SESSION, reasoning: { type: 'string', maxLength: limits.maxTextChars } } },
      },
    },
    async (request) => {
      const { docid } = request.params as { docid: string };
      const q = request.query as { session?: string; reasoning?: string };
      return service.getDocument(docid, { session: sessionOf(request, q.session), transport: 'http', reasoning: q.reasoning, agent: agentOf(request) });
    },
  );

  const text = { type: 'string', maxLength: limits.maxTextChars };
  app.post(
    '/v1/sessions/:session/events',
    {
      schema: {
        params: { type: 'object', properties: { session: SESSION } },
        body: { type: 'object', properties: { reasoning: text, answer: text, question: text }, minProperties: 1 },
      },
    },
    async (request) => {
      const { session } = request.params as { session: string };
      const transport = mcpSessions.has(session) ? 'mcp-http' : sse?.has(session) ? 'mcp-sse' : 'http';
      service.note(session, request.body as Record<string, unknown>, { transport, agent: agentOf(request) });
      return { ok: true, recorded: service.log !== undefined };
    },
  );

  app.post('/v1/sessions/:session/close', { schema: { params: { type: 'object', properties: { session: SESSION } } } }, async (request) => {
    const { session } = request.params as { session: string };
    return { closed: service.closeSession(session, 'client-close') };
  });

  app.post(
    '/v1/admin/reload',
    { schema: { body: { anyOf: [{ type: 'object', properties: { index: { type: 'string', minLength: 1 }, corpus: { type: 'string', minLength: 1 } } }, { type: 'null' }] } } },
    async (request, reply) => {
      // Loading an arbitrary path is an admin act: without a configured token there is no admin.
      if (!tokenDigest) return reply.code(403).send({ error: 'reload over HTTP needs LRAT_SERVER_TOKEN to be set (or send SIGHUP)' });
      const body = (request.body ?? {}) as { index?: string; corpus?: string };
      return service.reload(body);
    },
  );

  // Streamable HTTP: POST carries JSON-RPC, GET opens the server→client stream, DELETE ends a session.
  app.route({
    method: ['GET', 'POST', 'DELETE'],
    url: '/mcp',
    handler: async (request, reply) => {
      if (sse) return sse.handle(request, reply);
      const sid = request.headers['mcp-session-id'];
      let entry = typeof sid === 'string' ? mcpSessions.get(sid) : undefined;
      if (!entry) {
        if (sid !== undefined) return reply.code(404).send(rpcError(-32001, 'Session not found'));
        if (request.method !== 'POST' || !isInitializeRequest(request.body))
          return reply.code(400).send(rpcError(-32000, 'Bad Request: no valid session id (send initialize first)'));
        entry = await openMcpSession();
      }
      entry.lastActivity = Date.now();
      reply.hijack();
      try {
        await entry.transport.handleRequest(request.raw, reply.raw, request.body);
      } catch (err) {
        log(`mcp transport error: ${(err as Error).message}`);
        if (!reply.raw.headersSent) reply.raw.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify(rpcError(-32603, 'internal error')));
      }
    },
  });

  async function openMcpSession(): Promise<McpEntry> {
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        mcpSessions.set(id, entry);
      },
    });
    const server = createMcpServer(
      service,
      () => ({ session: transport.sessionId, transport: 'mcp-http', agent: clientAgent(server) }),
      metrics,
    );
    const entry: McpEntry = { transport, server, lastActivity: Date.now() };
    transport.onclose = () => {
      const id = transport.sessionId;
      if (!id) return;
      mcpSessions.delete(id);
      service.closeSession(id, 'disconnect');
    };
    await server.connect(transport);
    return entry;
  }

  const idleMs = service.idleTimeoutMs;
  const sweep = setInterval(
    () => {
      const now = Date.now();
      for (const [id, e] of mcpSessions) if (now - e.lastActivity >= idleMs) void closeMcp(id, e);
      service.sweepIdle(now);
    },
    opts.sweepIntervalMs ?? Math.min(60_000, Math.max(10, Math.floor(idleMs / 4))),
  );
  sweep.unref();

  async function closeMcp(id: string, e: McpEntry): Promise<void> {
    mcpSessions.delete(id);
    service.closeSession(id, 'idle-timeout');
    await e.server.close().catch(() => undefined);
  }

  return {
    app,
    metrics,
    async listen(port, host = '127.0.0.1') {
      allowedHosts.add(host.toLowerCase());
      await app.listen({ port, host });
      const addr = app.server.address();
      const p = typeof addr === 'object' && addr ? addr.port : port;
      return `http://${host.includes(':') ? `[${host}]` : host}:${p}`;
    },
    async close() {
      clearInterval(sweep);
      await sse?.close();
      for (const [id, e] of [...mcpSessions]) {
        mcpSessions.delete(id);
        service.closeSession(id, 'shutdown');
        await e.server.close().catch(() => undefined);
      }
      await app.close();
      await service.close();
    },
  };
}

function originAllowed(origin: string, allowed: string[] | undefined): boolean {
  if (allowed?.includes('*') || allowed?.includes(origin)) return true;
  try {
    const host = new URL(origin).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  } catch {
    return false;
  }
}

/** The host name of a Host header value (`name:port`, `[v6]:port`). */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon >= 0 ? h.slice(0, colon) : h;
}

/** Loopback names, IP literals (a rebinding attack needs a DNS name) and the allowed names pass. */
function hostAllowed(host: string, allowed: ReadonlySet<string>): boolean {
  const name = hostName(host);
  if (!name) return false;
  if (name === 'localhost' || allowed.has(name)) return true;
  if (name.startsWith('[')) return net.isIPv6(name.slice(1, -1));
  return net.isIPv4(name);
}

function digest(s: string): Buffer {
  return crypto.createHash('sha256').update(s).digest();
}

function rpcError(code: number, message: string) {
  return { jsonrpc: '2.0', error: { code, message }, id: null };
}

/** A session named in the body/query and in the X-LRAT-Session header must agree. */
function sessionOf(request: FastifyRequest, fromBody: string | undefined): string | undefined {
  const h = request.headers['x-lrat-session'];
  const header = Array.isArray(h) ? h[0] : h;
  if (header !== undefined && !new RegExp(SESSION_ID_PATTERN).test(header)) throw Object.assign(new Error(`X-LRAT-Session must match ${SESSION_ID_PATTERN}`), { statusCode: 400 });
  if (header !== undefined && fromBody !== undefined && header !== fromBody)
    throw Object.assign(new Error('the session in the body/query differs from the X-LRAT-Session header'), { statusCode: 400 });
  return fromBody ?? header;
}

function agentOf(request: FastifyRequest): { name: string } | undefined {
  const ua = request.headers['user-agent'];
  return typeof ua === 'string' && ua ? { name: ua.slice(0, 200) } : undefined;
}

function clientAgent(server: McpServer): { name: string; version?: string } | undefined {
  const info = server.server.getClientVersion();
  return info ? { name: info.name, ...(info.version ? { version: info.version } : {}) } : undefined;
}
