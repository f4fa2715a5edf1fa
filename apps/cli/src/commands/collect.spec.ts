import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { mineToFile } from '@lrat/miners';
import { startScriptedServer, toolCallReply, assistantReply } from '@lrat/agents/testing';
import { TrajectorySchema } from '@lrat/trajectory';
import { runCollect, parseAgentList, formatCollectTable, type CollectArgs } from './collect';

// This file's temporary folders, under one root removed when it ends.
const tmpRoot = mkdtempSync(path.join(tmpdir(), 'lrat-collect-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

const root = path.resolve(__dirname, '../../../..');
const base = (out: string): CollectArgs => ({
  dataset: path.join(root, 'data/multihop-wiki'),
  agents: 'simulated:careful,shallow',
  split: 'test',
  splitSeed: 13,
  testFraction: 0.5,
  limit: 8,
  seed: 1,
  k: 10,
  snippetTokens: 64,
  snippetTokenizer: 'whitespace',
  maxTurns: 30,
  concurrency: 4,
  timeout: 600,
  judge: 'em',
  out,
  quiet: true,
});

describe('lrat collect', () => {
  it('records simulated trajectories over in-memory BM25 that `lrat mine` reads unchanged', async () => {
    const out = mkdtempSync(path.join(tmpRoot, 'lrat-collect-'));
    const outcome = await runCollect(base(out), () => undefined);
    expect(outcome.agents.map((a) => a.agent)).toEqual(['simulated:careful', 'simulated:shallow']);
    const lines = readFileSync(outcome.files.trajectories, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(16);
    for (const l of lines) TrajectorySchema.parse(JSON.parse(l));
    const csv = readFileSync(outcome.files.results, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(17);
    const summary = JSON.parse(readFileSync(outcome.files.summary, 'utf8'));
    expect(summary.produced).toMatchObject({ questions: 8, split: 'test', seed: 1, answerJudge: 'em' });
    expect(summary.agents[0].simulated).toBe(true);
    expect(formatCollectTable(outcome.agents)).toContain('simulated:careful (simulated)');
    // Same seed, same trajectories.
    const again = await runCollect(base(mkdtempSync(path.join(tmpRoot, 'lrat-collect-'))), () => undefined);
    expect(readFileSync(again.files.trajectories, 'utf8')).toBe(readFileSync(outcome.files.trajectories, 'utf8'));
    const mined = await mineToFile({
      trajectories: [outcome.files.trajectories],
      format: 'jsonl',
      corpus: path.join(root, 'data/multihop-wiki/corpus.jsonl'),
      judge: { kind: 'rule' },
      tokenizer: 'whitespace',
      out: path.join(out, 'pairs.jsonl'),
      workers: 0,
    });
    expect(mined.trajectories).toBe(16);
    expect(mined.samples).toBeGreaterThan(10);
  });

  it('parses agent lists and rejects unknown agents', () => {
    expect(parseAgentList('simulated').map((a) => (a.backend === 'simulated' ? a.profile : a.backend))).toEqual(['careful', 'greedy', 'shallow']);
    expect(parseAgentList('greedy,openai')).toEqual([{ backend: 'simulated', profile: 'greedy' }, { backend: 'openai' }]);
    expect(() => parseAgentList('simulated:nope')).toThrow(/unknown simulated profile "nope"/);
    expect(() => parseAgentList('claude')).toThrow(/unknown agent "claude"/);
  });

  it('asks for an endpoint for the openai agent', async () => {
    await expect(runCollect({ ...base(mkdtempSync(path.join(tmpRoot, 'lrat-collect-'))), agents: 'openai' }, () => undefined)).rejects.toThrow(/--base-url and --model/);
  });

  it('runs the openai agent against an OpenAI-compatible endpoint (scripted, 127.0.0.1)', async () => {
    const server = await startScriptedServer((req) => {
      const toolMsgs = req.body.messages.filter((m) => m.role === 'tool');
      if (toolMsgs.length === 0) return { body: toolCallReply([{ name: 'search', args: { query: String(req.body.messages[1].content).slice(10) } }]) };
      const first = JSON.parse(String(toolMsgs[0].content))[0].docid;
      if (toolMsgs.length === 1) return { body: toolCallReply([{ name: 'get_document', args: { docid: first } }]) };
      return { body: assistantReply({ content: 'Exact Answer: no idea' }) };
    });
    try {
      const out = mkdtempSync(path.join(tmpRoot, 'lrat-collect-'));
      const outcome = await runCollect({ ...base(out), agents: 'openai', baseUrl: server.baseUrl, model: 'scripted', limit: 3 }, () => undefined);
      expect(outcome.agents[0]).toMatchObject({ agent: 'openai:scripted', simulated: false, errors: 0 });
      expect(outcome.agents[0].summary).toMatchObject({ questions: 3, searches: 1, browses: 1, success: 0 });
      expect(server.requests).toHaveLength(9);
    } finally {
      await server.close();
    }
  });
});
