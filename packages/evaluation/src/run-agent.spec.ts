import { createSearchTool, inMemoryDocumentStore } from '@lrat/trajectory';
import { createOpenAIAgent, type Question } from '@lrat/agents';
import { InMemoryBm25Searcher, startScriptedServer, assistantReply, type ScriptedServer } from '@lrat/agents/testing';
import type { Doc } from '@lrat/core';
import { runAgent } from './run-agent';

// runAgent's concurrency and per-question timeout, driven by the OpenAI agent against a scripted
// endpoint (the agent's own HTTP behaviour is tested in @lrat/agents).
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
});

describe('runAgent', () => {
  it('runs questions concurrently and records a per-question timeout as a failure', async () => {
    server = await startScriptedServer((req) => {
      const q = String(req.body.messages[1].content);
      if (q.includes('slow')) return { delayMs: 5000, body: assistantReply({ content: 'Exact Answer: late' }) };
      return { delayMs: 100, body: assistantReply({ content: 'Exact Answer: yes' }) };
    });
    const qs: Question[] = [1, 2, 3, 4].map((i) => ({ ...question, id: `q${i}`, text: i === 4 ? 'a slow question' : `${question.text} ${i}` }));
    const agent = createOpenAIAgent({ baseUrl: server.baseUrl, model: 'm', maxAttempts: 1 });
    const run = await runAgent({ agent, questions: qs, tool, seed: 1, retriever: 'bm25', concurrency: 4, timeoutMs: 1000 });
    expect(server.maxInFlight).toBeGreaterThanOrEqual(3);
    expect(run.results.slice(0, 3).every((r) => r.success)).toBe(true);
    expect(run.results[3].success).toBe(false);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0].questionId).toBe('q4');
  });
});
