import { type Trajectory, createSearchTool, inMemoryDocumentStore } from '@lrat/trajectory';
import type { Question } from '../dataset';
import { InMemoryBm25Searcher } from '../testing/bm25-searcher';
import { createReplayAgent } from './replay';
import type { Doc } from '@lrat/core';

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
});
