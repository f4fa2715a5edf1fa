import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { Bm25Index, saveIndex } from '@lrat/indexer';
import { browseCompPlusSearchDescription } from '@lrat/server';
import { resolveServeSettings } from './serve';

// `lrat serve --preset browsecomp-plus`: what an unmodified BrowseComp-Plus agent sees (MCP over SSE
// at /mcp through the SDK's SSE client, their tool list, schemas and descriptions, k = 5), their
// Search-R1 endpoint, and a log that still mines.

const repo = path.resolve(__dirname, '../../../..');
const lrat = path.join(repo, 'apps/cli/bin/lrat.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lrat-cli-serve-bcp-'));
const corpus = path.join(tmp, 'corpus.jsonl');
const cities = ['Paris', 'Berlin', 'Rome', 'Madrid', 'Vienna', 'Lisbon', 'Prague'];
// BrowseComp-Plus's corpus shape: {docid, text}, the title on the text's first line.
const body = (i: number) => `${cities[i]} is a capital city in Europe with ${i + 2} million people and many museums.`;
const docs = cities.map((c, i) => ({ docid: `d${i}`, text: `${c}\n${body(i)}` }));
fs.writeFileSync(corpus, docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
const index = path.join(tmp, 'idx');

beforeAll(async () => {
  await saveIndex(index, Bm25Index.build(docs.map((d) => ({ docid: d.docid, text: d.text }))));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function serve(logDir: string, extra: string[]): Promise<{ proc: ChildProcess; url: string; stderr: () => string }> {
  const proc = spawn(process.execPath, [lrat, 'serve', '--preset', 'browsecomp-plus', '--index', index, '--corpus', corpus, '--port', '0', '--log-dir', logDir, '--snippet-tokenizer', 'whitespace', '--no-warm-snippets', ...extra], {
    cwd: tmp,
    env: { ...process.env, LRAT_SERVER_TOKEN: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  return new Promise((resolve, reject) => {
    proc.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) resolve({ proc, url: m[1], stderr: () => err });
    });
    proc.once('exit', (code) => reject(new Error(`lrat serve exited ${code}: ${err}`)));
  });
}

const exited = (proc: ChildProcess) => new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r(proc.exitCode) : proc.once('exit', r)));
const text = (r: unknown) => (r as { content: { text: string }[] }).content[0].text;

/** An SSE client that also reports the session id it was given (in the /messages URL it posts to). */
function sseClient(url: string): { client: Client; transport: SSEClientTransport; session: () => string | undefined } {
  let session: string | undefined;
  const transport = new SSEClientTransport(new URL(`${url}/mcp`), {
    fetch: (input, init) => {
      const u = new URL(String(input instanceof Request ? input.url : input));
      session ??= u.searchParams.get('sessionId') ?? undefined;
      return fetch(input, init);
    },
  });
  return { client: new Client({ name: 'bcp-agent', version: '1.0' }), transport, session: () => session };
}

describe('lrat serve --preset browsecomp-plus', () => {
  it('resolves to their defaults, each overridable', () => {
    expect(resolveServeSettings({ preset: 'browsecomp-plus' })).toEqual({
      transport: 'sse',
      k: 5,
      snippetTokens: 512,
      mcpTools: { getDocument: false, reasoningArgument: false, descriptions: 'browsecomp-plus' },
    });
    expect(resolveServeSettings({ preset: 'browsecomp-plus', getDocument: true, snippetTokens: -1, transport: 'http', k: 3 })).toMatchObject({ transport: 'http', k: 3, snippetTokens: -1, mcpTools: { getDocument: true } });
    expect(resolveServeSettings({})).toMatchObject({ transport: 'http', k: 10, snippetTokens: 64, mcpTools: { getDocument: true, reasoningArgument: true } });
    expect(() => resolveServeSettings({ snippetTokens: 0 })).toThrow(/-1 for the full text/);
  });

  it('answers the SDK SSE client at /mcp with only `search` (their schema and description), 5 results, and POST /retrieve in Search-R1 shape', async () => {
    const server = await serve(path.join(tmp, 'log-plain'), ['--snippet-tokens', '-1']);
    const { client, transport } = sseClient(server.url);
    try {
      await client.connect(transport);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual(['search']);
      expect(tools[0].description).toBe(browseCompPlusSearchDescription(5));
      expect(Object.keys(tools[0].inputSchema.properties ?? {})).toEqual(['query']);
      const hits = JSON.parse(text(await client.callTool({ name: 'search', arguments: { query: 'capital city museums' } }))) as { docid: string; score: number; snippet: string }[];
      expect(hits).toHaveLength(5);
      // --snippet-tokens -1: the whole document
      expect(hits[0].snippet).toBe(docs.find((x) => x.docid === hits[0].docid)?.text);
      await expect(client.callTool({ name: 'get_document', arguments: { docid: 'd0' } })).resolves.toMatchObject({ isError: true });

      const r = await fetch(`${server.url}/retrieve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'Prague capital' }) });
      expect(r.status).toBe(200);
      const body6 = body(6);
      const res = (await r.json()) as { result: { docid: string; document: { title: string; text: string } }[] };
      expect(res.result).toHaveLength(5);
      expect(res.result[0]).toEqual({ document: { title: 'Prague', text: body6 }, docid: 'd6' });
      expect(server.stderr()).toMatch(/MCP over SSE at http:\/\/127\.0\.0\.1:\d+\/mcp/);
    } finally {
      await client.close();
      server.proc.kill('SIGTERM');
      await exited(server.proc);
    }
  });

  it('with --get-document, records the SSE session (reasoning through the events API) and the log mines', async () => {
    const logDir = path.join(tmp, 'log-browse');
    const server = await serve(logDir, ['--get-document']);
    const { client, transport, session } = sseClient(server.url);
    const note = (reasoning: string) =>
      fetch(`${server.url}/v1/sessions/${session()}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reasoning }) });
    try {
      await client.connect(transport);
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['get_document', 'search']);
      const hits = JSON.parse(text(await client.callTool({ name: 'search', arguments: { query: 'Rome capital city' } }))) as { docid: string }[];
      expect(hits[0].docid).toBe('d2');
      await client.callTool({ name: 'get_document', arguments: { docid: 'd2' } });
      expect(session()).toMatch(/^[0-9a-f-]{36}$/);
      expect((await note('Rome is a capital city in Europe: this answers the question.')).status).toBe(200);
    } finally {
      await client.close();
      server.proc.kill('SIGTERM');
      await exited(server.proc);
    }
    const out = path.join(tmp, 'pairs.jsonl');
    const m = spawnSync(process.execPath, [lrat, 'mine', '--trajectories', logDir, '--corpus', corpus, '--judge', 'rule', '--tokenizer', 'whitespace', '--out', out, '--workers', '0'], { encoding: 'utf8' });
    expect(m.status).toBe(0);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ query: 'Rome capital city', pos_id: ['d2'], satisfied: true, reasoning_len: 11 });
    expect(rows[0].neg_id).toHaveLength(4);
  });
});
