import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { TrajectorySchema, type Trajectory } from '@lrat/trajectory';
import { createHttpServer, type HttpServer } from './http';
import { SearchService } from './search-service';
import { SessionLog } from './session-log';
import { whitespaceSnippeter } from '@lrat/core';
import { TermBackend } from './testing/term-backend';
import { removeTmpDirs, tmpDir, TINY_CORPUS } from './testing/fixtures';

afterAll(removeTmpDirs);

const TOKEN = 'test-token-123';

interface Reply {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json(): any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** fastify's inject() pulls in an ESM-only cookie module under Jest; a real request over 127.0.0.1 is as good. */
async function inject(base: string, o: { method: string; url: string; payload?: unknown; headers?: Record<string, string> }): Promise<Reply> {
  const headers: Record<string, string> = { ...o.headers };
  let body: string | undefined;
  if (o.payload !== undefined && o.method !== 'GET') {
    body = typeof o.payload === 'string' ? o.payload : JSON.stringify(o.payload);
    headers['content-type'] ??= 'application/json';
  }
  const r = await fetch(base + o.url, { method: o.method, headers, body });
  const text = await r.text();
  return { statusCode: r.status, headers: Object.fromEntries(r.headers), body: text, json: () => JSON.parse(text) };
}

function make(opts: { token?: string; idleTimeoutMs?: number; allowedHosts?: string[] } = {}) {
  const dir = tmpDir();
  const backend = new TermBackend(TINY_CORPUS, { version: 'v1' });
  const service = new SearchService(backend, {
    snippeter: whitespaceSnippeter(4),
    k: 3,
    log: new SessionLog({ dir }),
    source: { index: 'a', corpus: 'b' },
    loader: async () => new TermBackend(TINY_CORPUS, { version: 'v2' }),
    idleTimeoutMs: opts.idleTimeoutMs,
    limits: { bodyLimitBytes: 64 * 1024 },
  });
  const errors: string[] = [];
  const server = createHttpServer(service, { token: opts.token, allowedHosts: opts.allowedHosts, onError: (m) => errors.push(m), sweepIntervalMs: opts.idleTimeoutMs ? 20 : undefined });
  return { dir, service, server, errors };
}

function trajectories(dir: string): Trajectory[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('trajectories-'))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => TrajectorySchema.parse(JSON.parse(l)));
}

describe('HTTP JSON API', () => {
  let ctx: ReturnType<typeof make>;
  let server: HttpServer;
  let base: string;
  beforeEach(async () => {
    ctx = make();
    server = ctx.server;
    base = await server.listen(0);
  });
  afterEach(() => server.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    inject(base, { method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });

  it('searches, fetches documents and records the session named by header or body', async () => {
    const r = await post('/v1/search', { query: 'capital Paris', k: 2 }, { 'x-lrat-session': 'h1' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['x-lrat-index-version']).toBe('v1');
    expect(r.json()).toEqual({
      results: [
        { docid: 'd1', score: 2, snippet: 'Paris is the capital' },
        { docid: 'd2', score: 2, snippet: 'France is a country' },
      ],
    });
    const d = await inject(base, { method: 'GET', url: '/v1/documents/d1?session=h1&reasoning=Paris%20it%20is' });
    expect(d.json()).toEqual({ docid: 'd1', text: TINY_CORPUS.d1 });
    expect((await post('/v1/sessions/h1/events', { answer: 'Paris', question: 'Capital of France?' })).json()).toEqual({ ok: true, recorded: true });
    expect((await post('/v1/sessions/h1/close', {})).json()).toEqual({ closed: true });
    const [t] = trajectories(ctx.dir);
    expect(t).toMatchObject({ id: 'h1', question: 'Capital of France?', finalAnswer: 'Paris' });
    expect(t.steps.map((s) => s.type)).toEqual(['search', 'reasoning', 'browse', 'answer']);
  });

  it('answers every malformed request with a 4xx and a clear message, and keeps serving', async () => {
    const cases: [string, () => ReturnType<typeof post>, number, RegExp][] = [
      ['bad JSON', () => post('/v1/search', '{"query": "x",', {}), 400, /JSON/i],
      ['query wrong type', () => post('/v1/search', { query: 5 }), 400, /query.*string/],
      ['query missing', () => post('/v1/search', { k: 3 }), 400, /query/],
      ['k as string', () => post('/v1/search', { query: 'Paris', k: '3' }), 400, /k.*integer/],
      ['k too large', () => post('/v1/search', { query: 'Paris', k: 10_000 }), 400, /k.*<= 100/],
      ['k fractional', () => post('/v1/search', { query: 'Paris', k: 1.5 }), 400, /integer/],
      ['query too long', () => post('/v1/search', { query: 'x'.repeat(3000) }), 400, /query.*2048/],
      ['blank query', () => post('/v1/search', { query: '   ' }), 400, /empty/],
      ['array body', () => post('/v1/search', [1, 2]), 400, /object/],
      ['bad session', () => post('/v1/search', { query: 'Paris', session: 'a/b' }), 400, /session/],
      ['session header mismatch', () => post('/v1/search', { query: 'Paris', session: 'a' }, { 'x-lrat-session': 'b' }), 400, /differs/],
      ['huge body', () => post('/v1/search', { query: 'Paris', reasoning: 'x'.repeat(200_000) }), 413, /large/i],
      ['wrong content type', () => inject(base, { method: 'POST', url: '/v1/search', payload: 'query=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, /content-type/i],
      ['unknown doc', () => inject(base, { method: 'GET', url: '/v1/documents/nope' }), 404, /not found/],
      ['unknown route', () => inject(base, { method: 'GET', url: '/v1/nothing' }), 404, /no route/],
      ['empty event', () => post('/v1/sessions/s/events', {}), 400, /fewer than 1|at least one/],
      ['event wrong type', () => post('/v1/sessions/s/events', { answer: 42 }), 400, /answer.*string/],
      ['reload without a token configured', () => post('/v1/admin/reload', {}), 403, /LRAT_SERVER_TOKEN/],
      ['mcp without session', () => post('/mcp', { jsonrpc: '2.0', id: 1, method: 'tools/list' }), 400, /session/],
      ['mcp bad JSON', () => post('/mcp', '{"jsonrpc":', {}), 400, /JSON/i],
      ['mcp huge body', () => post('/mcp', { jsonrpc: '2.0', id: 1, method: 'initialize', params: { pad: 'x'.repeat(100_000) } }), 413, /large/i],
      ['foreign browser origin', () => post('/v1/search', { query: 'Paris' }, { origin: 'http://evil.example' }), 403, /origin/],
      ['mcp unknown session', () => post('/mcp', { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { 'mcp-session-id': 'nope' }), 404, /Session not found/],
    ];
    for (const [name, send, status, message] of cases) {
      const r = await send();
      expect({ name, status: r.statusCode }).toEqual({ name, status });
      expect({ name, body: r.body }).toEqual({ name, body: expect.stringMatching(message) });
    }
    expect(ctx.errors).toEqual([]);
    expect((await post('/v1/search', { query: 'Paris' })).statusCode).toBe(200);
    expect((await post('/v1/search', { query: 'Paris' }, { origin: 'http://localhost:5173' })).statusCode).toBe(200);
    const metrics = (await inject(base, { method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/lrat_http_requests_total\{route="\/v1\/search",method="POST",status="400"\} \d+/);
    expect(metrics).toMatch(/lrat_http_errors_total\{route="\/v1\/search",class="4xx"\} \d+/);
    expect(metrics).toMatch(/lrat_http_request_duration_seconds_bucket\{route="\/v1\/search",le="\+Inf"\} \d+/);
    expect(metrics).toMatch(/lrat_index_info\{kind="term",version="v1"\} 1/);
  });

  it('survives random payloads on every route with 2xx/4xx only (seeded fuzz)', async () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    const value = (depth: number): unknown => {
      const kinds = ['str', 'num', 'bool', 'null', 'arr', 'obj', 'long'];
      switch (pick(depth > 2 ? kinds.slice(0, 4) : kinds)) {
        case 'str': return pick(['', 'Paris', 'd1', '../x', '\u0000', 'ü', '{"a":']);
        case 'num': return pick([0, -1, 1.5, 3, 1e308, NaN]);
        case 'bool': return rnd() < 0.5;
        case 'null': return null;
        case 'arr': return [value(depth + 1), value(depth + 1)];
        case 'long': return 'x'.repeat(Math.floor(rnd() * 5000));
        default: return { query: value(depth + 1), k: value(depth + 1), session: value(depth + 1), docid: value(depth + 1), reasoning: value(depth + 1), answer: value(depth + 1) };
      }
    };
    const routes = ['/v1/search', '/v1/sessions/s1/events', '/v1/sessions/s1/close', '/v1/admin/reload', '/mcp'];
    for (let i = 0; i < 150; i++) {
      const url = pick(routes);
      const raw = rnd() < 0.15 ? String(value(0)).slice(0, 50) : JSON.stringify(value(0));
      const r = await post(url, raw ?? 'null', rnd() < 0.3 ? { 'mcp-session-id': 'x' } : {});
      expect({ url, raw: raw?.slice(0, 80), ok: r.statusCode < 500 }).toEqual({ url, raw: raw?.slice(0, 80), ok: true });
    }
    expect(ctx.errors).toEqual([]);
    expect((await post('/v1/search', { query: 'Paris' })).statusCode).toBe(200);
  });

  it('serves /healthz', async () => {
    expect((await inject(base, { method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok', index: { kind: 'term', version: 'v1' } });
  });
});

describe('document ids with URL-reserved characters', () => {
  it('are fetched when URL-encoded in the path', async () => {
    const service = new SearchService(new TermBackend({ 'a/b c?d': 'slash space query', 'ü:1': 'unicode colon' }), { snippeter: whitespaceSnippeter(3) });
    const server = createHttpServer(service);
    const base = await server.listen(0);
    try {
      for (const id of ['a/b c?d', 'ü:1']) {
        const r = await inject(base, { method: 'GET', url: `/v1/documents/${encodeURIComponent(id)}` });
        expect({ id, status: r.statusCode, body: r.json() }).toEqual({ id, status: 200, body: { docid: id, text: expect.any(String) } });
      }
    } finally {
      await server.close();
    }
  });
});

describe('bearer token', () => {
  it('is required on every route but /healthz, and reload is admin-only', async () => {
    const { server, service } = make({ token: TOKEN });
    const base = await server.listen(0);
    try {
      expect((await inject(base, { method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      for (const [method, url] of [['GET', '/metrics'], ['POST', '/v1/search'], ['GET', '/v1/documents/d1'], ['POST', '/mcp'], ['POST', '/v1/admin/reload']] as const) {
        const r = await inject(base, { method, url, payload: { query: 'x' } });
        expect({ url, status: r.statusCode }).toEqual({ url, status: 401 });
        const wrong = await inject(base, { method, url, payload: { query: 'x' }, headers: { authorization: 'Bearer nope' } });
        expect({ url, status: wrong.statusCode }).toEqual({ url, status: 401 });
      }
      const auth = { authorization: `Bearer ${TOKEN}` };
      expect((await inject(base, { method: 'POST', url: '/v1/search', payload: { query: 'Paris' }, headers: auth })).statusCode).toBe(200);
      const reload = await inject(base, { method: 'POST', url: '/v1/admin/reload', payload: {}, headers: auth });
      expect(reload.json()).toMatchObject({ version: 'v2', previous: 'v1' });
      expect(service.version).toBe('v2');
    } finally {
      await server.close();
    }
  });
});

describe('MCP over Streamable HTTP (real SDK client)', () => {
  it('lists both tools, searches, gets a document, reports tool errors, and records the session', async () => {
    const { server, dir } = make({ token: TOKEN });
    const url = await server.listen(0);
    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { Authorization: `Bearer ${TOKEN}` } } });
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['get_document', 'search']);
      const search = tools.find((t) => t.name === 'search');
      expect(search?.description).toMatch(/top-3 hits with docid, score, and snippet/);
      expect(search?.description).toMatch(/first 4 whitespace-separated words/);
      expect(Object.keys(search?.inputSchema.properties ?? {})).toEqual(['query', 'reasoning']);
      expect(search?.inputSchema.required).toEqual(['query']);

      const res = await client.callTool({ name: 'search', arguments: { query: 'capital of France' } });
      const hits = JSON.parse((res.content as { text: string }[])[0].text);
      expect(hits.map((h: { docid: string }) => h.docid)).toEqual(['d1', 'd2', 'd3']);
      expect(hits[0]).toEqual({ docid: 'd1', score: 3, snippet: 'Paris is the capital' });
      expect(res.structuredContent).toEqual({ result: hits });

      const doc = await client.callTool({ name: 'get_document', arguments: { docid: 'd1', reasoning: 'The first hit should say it.' } });
      expect(JSON.parse((doc.content as { text: string }[])[0].text)).toEqual({ docid: 'd1', text: TINY_CORPUS.d1 });

      const missing = await client.callTool({ name: 'get_document', arguments: { docid: 'zzz' } });
      expect(missing.isError).toBe(true);
      expect((missing.content as { text: string }[])[0].text).toMatch(/zzz.*not found/);
      const badArgs = await client.callTool({ name: 'search', arguments: { query: 7 } });
      expect(badArgs.isError).toBe(true);
      await expect(client.callTool({ name: 'no_such_tool', arguments: {} })).resolves.toMatchObject({ isError: true });
      await client.callTool({ name: 'search', arguments: { query: 'Eiffel', reasoning: 'd1 says Paris is the capital.' } });

      // The HTTP events endpoint appends to the same session: the MCP session id names it.
      const sid = transport.sessionId;
      expect(sid).toBeDefined();
      const r = await fetch(`${url}/v1/sessions/${sid}/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ answer: 'Paris' }),
      });
      expect(r.status).toBe(200);
      await transport.terminateSession();
      await client.close();

      const [t] = trajectories(dir);
      expect(t.id).toBe(sid);
      expect(t.agent).toMatchObject({ name: 'test-agent', version: '1.0.0' });
      expect(t.metadata).toMatchObject({ transport: 'mcp-http', closeReason: 'disconnect' });
      expect(t.steps.map((s) => s.type)).toEqual(['search', 'reasoning', 'browse', 'reasoning', 'search', 'answer']);
      expect(t.steps[1]).toMatchObject({ text: 'The first hit should say it.' });
    } finally {
      await server.close();
    }
  });

  it('answers random tool arguments with results or tool errors, and the session lives on', async () => {
    const { server } = make();
    const url = await server.listen(0);
    const client = new Client({ name: 'fuzz-agent', version: '1' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
      // Odd arguments: each call answers with a result or a tool error; only well-formed ones succeed.
      const junk: unknown[] = [null, 3, '', 'Paris', ['Paris'], { a: 1 }, true, 'x'.repeat(3000), 'd2'];
      for (const name of ['search', 'get_document', 'nope']) {
        for (const v of junk) {
          const r = await client.callTool({ name, arguments: { query: v, docid: v, reasoning: v } as Record<string, unknown> });
          const valid =
            (name === 'search' && typeof v === 'string' && v.trim() !== '' && v.length <= 2048) || (name === 'get_document' && v === 'd2');
          expect({ name, v: String(v).slice(0, 20), isError: r.isError === true }).toEqual({ name, v: String(v).slice(0, 20), isError: !valid });
        }
      }
      expect((await client.listTools()).tools).toHaveLength(2);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('closes an idle MCP session and writes its trajectory', async () => {
    const { server, dir } = make({ idleTimeoutMs: 100 });
    const url = await server.listen(0);
    const client = new Client({ name: 'idle-agent', version: '1' });
    try {
      await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
      await client.callTool({ name: 'search', arguments: { query: 'Berlin' } });
      for (let i = 0; i < 100 && trajectories(dir).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      const [t] = trajectories(dir);
      expect(t.metadata?.closeReason).toBe('idle-timeout');
      await expect(client.callTool({ name: 'search', arguments: { query: 'Berlin' } })).rejects.toThrow();
    } finally {
      await client.close().catch(() => undefined);
      await server.close();
    }
  });
});

/** A GET with a chosen Host header (fetch will not send one). */
function getWithHost(base: string, url: string, host: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(base + url, { method: 'GET', headers: { ...headers, host } }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Host header (DNS rebinding) without a token', () => {
  it('answers only requests addressed to the bound address, loopback or an allowed host', async () => {
    const { server } = make();
    const base = await server.listen(0);
    const port = new URL(base).port;
    try {
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, '127.0.0.1']) {
        expect({ host, status: (await getWithHost(base, '/v1/documents/d1', host)).status }).toEqual({ host, status: 200 });
      }
      const evil = await getWithHost(base, '/v1/documents/d1', `attacker.example:${port}`);
      expect(evil.status).toBe(403);
      expect(JSON.parse(evil.body).error).toMatch(/Host attacker\.example:\d+ is not this server's address .*--allow-host attacker\.example/);
      expect((await getWithHost(base, '/healthz', 'attacker.example')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('a token replaces the check; --allow-host names extra hosts', async () => {
    const withToken = make({ token: TOKEN });
    const base = await withToken.server.listen(0);
    try {
      expect((await getWithHost(base, '/v1/documents/d1', 'search.internal', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    } finally {
      await withToken.server.close();
    }
    const allowed = make({ allowedHosts: ['search.internal'] });
    const base2 = await allowed.server.listen(0);
    try {
      expect((await getWithHost(base2, '/v1/documents/d1', 'search.internal:80')).status).toBe(200);
      expect((await getWithHost(base2, '/v1/documents/d1', 'other.internal')).status).toBe(403);
    } finally {
      await allowed.server.close();
    }
  });
});

describe('reload failures', () => {
  it('are a 400 with the reason, and the current index keeps serving', async () => {
    const service = new SearchService(new TermBackend(TINY_CORPUS, { version: 'v1' }), {
      snippeter: whitespaceSnippeter(4),
      source: { index: 'a', corpus: 'b' },
      loader: async (src) => {
        throw new Error(`cannot load index ${src.index}: manifest.json is missing (not an LRAT index directory, or an interrupted write)`);
      },
    });
    const server = createHttpServer(service, { token: TOKEN, onError: () => undefined });
    const base = await server.listen(0);
    try {
      const r = await inject(base, { method: 'POST', url: '/v1/admin/reload', payload: { index: '/nowhere' }, headers: { authorization: `Bearer ${TOKEN}` } });
      expect(r.statusCode).toBe(400);
      expect(r.json().error).toBe('reload failed, still serving v1: cannot load index /nowhere: manifest.json is missing (not an LRAT index directory, or an interrupted write)');
      expect(service.version).toBe('v1');
    } finally {
      await server.close();
    }
  });
});

