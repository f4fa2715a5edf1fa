import * as fs from 'fs';
import * as path from 'path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { TrajectorySchema } from '@lrat/trajectory';
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
