import { TrajectorySchema, createSearchTool, inMemoryDocumentStore } from '@lrat/trajectory';
import type { Question } from '../dataset';
import { InMemoryBm25Searcher } from '../testing/bm25-searcher';
import { startScriptedServer, toolCallReply, assistantReply, ScriptedServer } from '../testing/scripted-openai-server';
import { createOpenAIAgent, extractFinalAnswer, splitThinking, FINAL_TURN_PROMPT } from './openai';
import type { Doc } from '@lrat/core';

const docs: Doc[] = [
  { docid: 'd1', title: 'Ed Wood', text: 'Edward Davis Wood Jr. was an American filmmaker, actor, and author.' },
  { docid: 'd2', title: 'Scott Derrickson', text: 'Scott Derrickson is an American director, screenwriter and producer.' },
  { docid: 'd3', title: 'Paris', text: 'Paris is the capital of France.' },
];
const tool = createSearchTool({ searcher: new InMemoryBm25Searcher(docs), documents: inMemoryDocumentStore(docs), k: 2, indexName: 'test' });
const question: Question = { id: 'q1', text: 'Were Scott Derrickson and Ed Wood of the same nationality?', answer: 'yes', evidence: ['d1', 'd2'], metadata: {} };

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  delete process.env.OPENAI_API_KEY;
});

describe('openai agent', () => {
  it('runs search → get_document → answer over real HTTP and records every step with reasoning', async () => {
    process.env.OPENAI_API_KEY = 'sk-test-secret';
    server = await startScriptedServer((_req, i) => {
      if (i === 0) return { body: toolCallReply([{ name: 'search', args: { query: 'Scott Derrickson nationality' } }], 'Let me search first.') };
      if (i === 1) return { body: toolCallReply([{ name: 'get_document', args: { docid: 'd2' } }], null) };
      if (i === 2) return { body: toolCallReply([{ name: 'search', args: { user_query: 'Ed Wood' } }], '<think>Derrickson is American, so this page is relevant.</think>Now Ed Wood.') };
      // A bare completion is a 200 reply.
      return assistantReply({ content: 'Explanation: both American.\nExact Answer: yes\nConfidence: 90%', reasoning_content: 'Both pages say American.' });
    });
    const agent = createOpenAIAgent({ baseUrl: server.baseUrl, model: 'scripted-1', maxTurns: 10 });
    const t = await agent.run(question, tool, { seed: 1 });
    expect(TrajectorySchema.parse(t)).toEqual(t);
    expect(t.steps.map((s) => s.type)).toEqual(['reasoning', 'search', 'browse', 'reasoning', 'search', 'reasoning', 'answer']);
    expect(t.steps[1]).toMatchObject({ type: 'search', query: 'Scott Derrickson nationality', index: 'test' });
    expect(t.steps[2]).toEqual({ type: 'browse', docid: 'd2', tool: 'get_document' });
    expect(t.steps[3]).toEqual({ type: 'reasoning', text: 'Derrickson is American, so this page is relevant.\nNow Ed Wood.' });
    expect(t.steps[4]).toMatchObject({ query: 'Ed Wood' });
    expect(t.finalAnswer).toBe('yes');
    expect(t.agent).toMatchObject({ backend: 'openai', model: 'scripted-1', simulated: false });
    const reqs = server.requests;
    expect(reqs).toHaveLength(4);
    expect(reqs[0].path).toBe('/v1/chat/completions');
    expect(reqs[0].authorization).toBe('Bearer sk-test-secret');
    expect(reqs[0].body.model).toBe('scripted-1');
    expect(reqs[0].body.tools).toHaveLength(2);
    // The tool results went back to the model: snippets after search, full text after browse.
    const toolMsgs = reqs[3].body.messages.filter((m) => m.role === 'tool');
    expect(JSON.parse(String(toolMsgs[0].content))[0]).toMatchObject({ docid: 'd2', snippet: expect.stringContaining('Scott Derrickson') });
    expect(JSON.parse(String(toolMsgs[1].content))).toMatchObject({ docid: 'd2', text: expect.stringContaining('American director') });
    expect(toolMsgs[0].tool_call_id).toBe('call_0');
    expect(JSON.stringify(t)).not.toContain('sk-test-secret');
  });

  it('retries 5xx and 429 with backoff, then succeeds', async () => {
    server = await startScriptedServer((_req, i) => {
      if (i === 0) return { status: 500, body: { error: 'boom' } };
      if (i === 1) return { status: 429, headers: { 'retry-after': '0' }, body: { error: 'slow down' } };
      return { body: assistantReply({ content: 'Exact Answer: no' }) };
    });
    const retries: string[] = [];
    const agent = createOpenAIAgent({ baseUrl: server.baseUrl, model: 'm', backoffBaseMs: 5, onRetry: (r) => retries.push(r.reason) });
    const t = await agent.run(question, tool, { seed: 1 });
    expect(t.finalAnswer).toBe('no');
    expect(server.requests).toHaveLength(3);
    expect(retries[0]).toMatch(/HTTP 500/);
    expect(retries[1]).toMatch(/HTTP 429/);
  });

  it('does not retry a 400 and surfaces the error without the key', async () => {
    process.env.OPENAI_API_KEY = 'sk-hidden';
    server = await startScriptedServer(() => ({ status: 400, body: { error: 'bad model' } }));
    const agent = createOpenAIAgent({ baseUrl: server.baseUrl, model: 'm', backoffBaseMs: 5 });
    const err = await agent.run(question, tool, { seed: 1 }).catch((e: Error) => e);
    expect((err as Error).message).toMatch(/HTTP 400.*bad model/);
    expect((err as Error).message).not.toContain('sk-hidden');
    expect(server.requests).toHaveLength(1);
  });

  it('forces a final answer without tools on the last turn', async () => {
    server = await startScriptedServer((req) =>
      req.body.tool_choice === 'none' ? { body: assistantReply({ content: 'Exact Answer: American' }) } : { body: toolCallReply([{ name: 'search', args: { query: 'again' } }]) },
    );
    const agent = createOpenAIAgent({ baseUrl: server.baseUrl, model: 'm', maxTurns: 3 });
    const t = await agent.run(question, tool, { seed: 1 });
    expect(t.steps.filter((s) => s.type === 'search')).toHaveLength(2);
    expect(t.finalAnswer).toBe('American');
    const last = server.requests[2].body;
    expect(last.messages.at(-1)).toEqual({ role: 'user', content: FINAL_TURN_PROMPT });
  });

  it('tells the model about bad arguments and unknown tools, recording them as other steps', async () => {
    server = await startScriptedServer((_req, i) =>
      i === 0 ? { body: toolCallReply([{ name: 'search', args: '{not json' }, { name: 'visit_web', args: { url: 'x' } }, { name: 'get_document', args: { docid: 'nope' } }]) } : { body: assistantReply({ content: 'Exact Answer: unknown' }) },
    );
    const t = await createOpenAIAgent({ baseUrl: server.baseUrl, model: 'm' }).run(question, tool, { seed: 1 });
    // get_document of an unknown id tells the model "not found" and is no browse.
    expect(t.steps.map((s) => s.type)).toEqual(['other', 'other', 'answer']);
    const toolMsgs = server.requests[1].body.messages.filter((m) => m.role === 'tool').map((m) => JSON.parse(String(m.content)).error);
    expect(toolMsgs[0]).toMatch(/Invalid arguments for search/);
    expect(toolMsgs[1]).toMatch(/Unknown tool "visit_web"/);
    expect(toolMsgs[2]).toMatch(/not found/);
  });
});

describe('answer extraction', () => {
  it('takes the Exact Answer line and splits <think> blocks', () => {
    expect(extractFinalAnswer('Explanation: x\nExact Answer: **Paris**\nConfidence: 80%')).toBe('Paris');
    expect(extractFinalAnswer('Paris')).toBe('Paris');
    expect(splitThinking('<think>hmm</think> ok')).toEqual({ thinking: 'hmm', text: 'ok' });
  });
});
