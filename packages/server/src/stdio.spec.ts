import * as fs from 'fs';
import * as path from 'path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { TrajectorySchema } from '@lrat/trajectory';
import { PassThrough } from 'stream';
import { SearchService } from './search-service';
import { whitespaceSnippeter } from '@lrat/core';
import { serveStdio } from './stdio';
import { TermBackend } from './testing/term-backend';
import { removeTmpDirs, tmpDir, TINY_CORPUS } from './testing/fixtures';

afterAll(removeTmpDirs);

const root = path.resolve(__dirname, '../../..');

describe('MCP over stdio (real SDK client, server in a child process)', () => {
  it('lists both tools, searches, gets a document and records the session when the client leaves', async () => {
    const dir = tmpDir();
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['-r', '@swc-node/register', path.join(__dirname, 'testing', 'stdio-fixture.ts'), dir],
      cwd: root,
      env: { ...process.env, SWC_NODE_PROJECT: path.join(root, 'tsconfig.base.json') } as Record<string, string>,
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    const client = new Client({ name: 'stdio-agent', version: '2.0' });
    await client.connect(transport);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['get_document', 'search']);
    const res = await client.callTool({ name: 'search', arguments: { query: 'Germany capital' } });
    const hits = JSON.parse((res.content as { text: string }[])[0].text) as { docid: string }[];
    expect(hits.map((h) => h.docid)).toEqual(['d3', 'd1', 'd2']);
    const doc = await client.callTool({ name: 'get_document', arguments: { docid: 'd3', reasoning: 'd3 names Berlin.' } });
    expect(doc.structuredContent).toEqual({ result: { docid: 'd3', text: TINY_CORPUS.d3 } });
    const missing = await client.callTool({ name: 'get_document', arguments: { docid: 'nope' } });
    expect(missing.isError).toBe(true);
    await client.close();

    for (let i = 0; i < 200 && !/closed/.test(stderr); i++) await new Promise((r) => setTimeout(r, 25));
    expect(stderr).toMatch(/closed stdio-/);
    const files = fs.readdirSync(dir).filter((f) => f.startsWith('trajectories-'));
    const [t] = files.flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean)).map((l) => TrajectorySchema.parse(JSON.parse(l)));
    expect(t.agent).toMatchObject({ name: 'stdio-agent' });
    expect(t.metadata).toMatchObject({ transport: 'mcp-stdio', closeReason: 'disconnect' });
    expect(t.steps.map((s) => s.type)).toEqual(['search', 'reasoning', 'browse']);
  });
});

describe('MCP over stdio: malformed JSON-RPC gets an error reply, never silence', () => {
  it('answers -32700 for unparseable lines and -32600 for invalid requests, and keeps serving', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const service = new SearchService(new TermBackend(TINY_CORPUS, { version: 'v1' }), { snippeter: whitespaceSnippeter(4), k: 3 });
    const session = await serveStdio(service, { stdin, stdout });
    const replies: Record<string, unknown>[] = [];
    let buf = '';
    stdout.on('data', (b: Buffer) => {
      buf += b.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        replies.push(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        buf = buf.slice(nl + 1);
      }
    });
    const send = async (line: string, expected: number) => {
      stdin.write(line + '\n');
      for (let i = 0; i < 200 && replies.length < expected; i++) await new Promise((r) => setTimeout(r, 5));
      expect(replies).toHaveLength(expected);
      return replies[expected - 1] as { id: unknown; error?: { code: number; message: string }; result?: unknown };
    };
    try {
      expect(await send('{"jsonrpc": "2.0", "id": 1, "method": "tools/list"', 1)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32700 } });
      expect(await send('{"jsonrpc": "2.0", "id": 2}', 2)).toMatchObject({ id: 2, error: { code: -32600, message: expect.stringMatching(/method/) } });
      expect(await send('{"jsonrpc": "1.0", "id": 3, "method": "tools/list"}', 3)).toMatchObject({ id: 3, error: { code: -32600, message: expect.stringMatching(/jsonrpc/) } });
      expect(await send('{"jsonrpc": "2.0", "id": 4, "method": "tools/list", "params": null}', 4)).toMatchObject({ id: 4, error: { code: -32600, message: expect.stringMatching(/params/) } });
      expect(await send('{"jsonrpc": "2.0", "id": {"a": 1}, "method": "tools/list"}', 5)).toMatchObject({ id: null, error: { code: -32600, message: expect.stringMatching(/id/) } });
      expect(await send('[1, 2]', 6)).toMatchObject({ id: null, error: { code: -32600 } });
      expect(await send('"hello"', 7)).toMatchObject({ id: null, error: { code: -32600 } });
      // A valid request after all that is answered by the MCP server as usual.
      const init = await send(JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } } }), 8);
      expect(init).toMatchObject({ id: 8, result: { serverInfo: { name: 'lrat-search-server' } } });
    } finally {
      await session.close();
    }
  });
});
