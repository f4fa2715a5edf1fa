import { type Trajectory, createSearchTool, inMemoryDocumentStore } from '@lrat/trajectory';
import { createReplayAgent, type Question } from '@lrat/agents';
import { InMemoryBm25Searcher } from '@lrat/agents/testing';
import type { Doc } from '@lrat/core';
import { RankShiftSearcher } from '../testing/rank-shift-searcher';
import { runAgent } from '../run-agent';

// The replay agent: a replayed trajectory scored on a better and a worse index, and its error for a
// question it has no recording of.
const docs: Doc[] = Array.from({ length: 30 }, (_, i) => ({ docid: `d${i}`, title: `Doc ${i}`, text: `river bank ${i % 3 === 0 ? 'gold' : 'sand'} number ${i}` }));
const store = inMemoryDocumentStore(docs);
const bm25 = new InMemoryBm25Searcher(docs);
const question: Question = { id: 'q1', text: 'river bank', answer: 'x', evidence: ['d29'], metadata: {} };
const recorded: Trajectory = {
  id: 'orig',
  questionId: 'q1',
  question: 'river bank',
  finalAnswer: 'x',
  agent: { name: 'simulated:careful', simulated: true },
  steps: [
    { type: 'search', query: 'river bank', results: [{ docid: 'old' }] },
    { type: 'browse', docid: 'd3' },
    { type: 'reasoning', text: 'useful' },
    { type: 'answer', text: 'x' },
  ],
};

describe('replay agent', () => {
  it('fails clearly for a question it has no recording of', async () => {
    const agent = createReplayAgent({ trajectories: [recorded] });
    await expect(agent.run({ ...question, id: 'q2' }, createSearchTool({ searcher: bm25, documents: store }), { seed: 1 })).rejects.toThrow(/no recorded trajectory for question "q2"/);
  });

  it('re-runs the recorded queries on a new index and keeps browses, reasoning and answer', async () => {
    const agent = createReplayAgent({ trajectories: [recorded] });
    expect(agent.name).toBe('replay:simulated:careful');
    expect(agent.simulated).toBe(true);
    const worse = await runAgent({ agent, questions: [question], tool: createSearchTool({ searcher: new RankShiftSearcher(bm25, new Set(['d29']), 'demote'), documents: store }), seed: 1, retriever: 'worse' });
    const better = await runAgent({ agent, questions: [question], tool: createSearchTool({ searcher: new RankShiftSearcher(bm25, new Set(['d29']), 'promote'), documents: store }), seed: 1, retriever: 'better' });
    const t = better.trajectories[0];
    expect(t.steps.map((s) => s.type)).toEqual(['search', 'browse', 'reasoning', 'answer']);
    expect(t.steps[0].type === 'search' && t.steps[0].results[0].docid).toBe('d29');
    expect(t.metadata).toMatchObject({ replayOf: 'orig' });
    expect(better.results[0]).toMatchObject({ evidenceRecall: 1, success: true });
    expect(worse.results[0].evidenceRecall).toBe(0);
  });
});
