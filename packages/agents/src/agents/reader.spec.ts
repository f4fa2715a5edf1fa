import * as path from 'path';
import { TrajectorySchema, createSearchTool, type DocumentStore } from '@lrat/trajectory';
import { type Question } from '../dataset';
import { loadBm25Fixture } from '../testing/bm25-fixture';
import { createRng, type BasicSearcher } from '@lrat/core';
import { createReaderAgent } from './reader';
import { answerType, choiceOptions, extractAnswer } from './reader-answer';
import { perceivedRelevance, termWeights, titleMatch } from './reader-perception';

const MULTIHOP = path.resolve(__dirname, '../../../../data/multihop-wiki');

let questions: Question[];
let documents: DocumentStore;
let bm25: BasicSearcher;

beforeAll(async () => {
  ({ questions, documents, bm25 } = await loadBm25Fixture(MULTIHOP, { seed: 5, testSize: 40 }));
});

describe('text-only reader agent', () => {
  it('never reads the labels: the same trajectory with the gold evidence and answer replaced', async () => {
    const tool = createSearchTool({ searcher: bm25, documents });
    const agent = createReaderAgent();
    for (const q of questions.slice(0, 6)) {
      const a = await agent.run(q, tool, { seed: 3 });
      const blind = await agent.run({ ...q, evidence: ['nope'], answer: 'zzz' }, tool, { seed: 3 });
      expect(blind.steps).toEqual(a.steps);
      expect(blind.finalAnswer).toEqual(a.finalAnswer);
      expect(TrajectorySchema.parse(a)).toEqual(a);
      expect(a.agent).toMatchObject({ name: 'simulated:reader', backend: 'simulated', profile: 'reader', simulated: true });
    }
    const other = await agent.run(questions[0], tool, { seed: 4 });
    expect(JSON.stringify(other.steps)).not.toEqual(JSON.stringify((await agent.run(questions[0], tool, { seed: 3 })).steps));
  });
});

describe('reader perception and answer extraction', () => {
  it('scores the question and the goal lexically, names count double', () => {
    const q = termWeights('Which came first, "Poleconomy" or the Fyre Festival?');
    expect(q.get('poleconomy')).toBe(2);
    expect(q.get('came')).toBe(1);
    expect(titleMatch('Fyre Festival', 'the Fyre Festival')).toBe(1);
    expect(titleMatch('Poleconomy (game)', 'Fyre Festival')).toBe(0);
    const hit = perceivedRelevance('Poleconomy is a board game that came out first in 1982.', 'Poleconomy', q, q, 'Poleconomy');
    const miss = perceivedRelevance('A river in France.', 'Loire', q, q, 'Poleconomy');
    expect(hit).toBeGreaterThan(miss);
  });

  it('answers comparisons from the years it read, bridge questions with a span, yes/no with yes or no', () => {
    const rng = createRng(1);
    const q = 'Which came to market first, "Hey Pa! There\'s a Goat on the Roof" or "Poleconomy"?';
    expect(answerType(q)).toBe('choice');
    expect(choiceOptions(q)).toEqual(["Hey Pa! There's a Goat on the Roof", 'Poleconomy']);
    const docs = [
      { docid: 'a', title: "Hey Pa! There's a Goat on the Roof", text: "Hey Pa! There's a Goat on the Roof is a 1983 video game." },
      { docid: 'b', title: 'Poleconomy', text: 'Poleconomy is a board game released in 1987.' },
    ];
    expect(extractAnswer(q, docs, rng)).toMatchObject({ text: "Hey Pa! There's a Goat on the Roof" });
    expect(extractAnswer(q.replace('first', 'later'), docs, rng)).toMatchObject({ text: 'Poleconomy' });
    expect(answerType('When was the founder of Acme born?')).toBe('date');
    expect(extractAnswer('When was the founder of Acme born?', [{ docid: 'c', title: 'John Smith', text: 'John Smith founded Acme. He was born on 3 May 1950 in Leeds.' }], rng).text).toBe('3 May 1950');
    const yn = extractAnswer('Are Poleconomy and Monopoly both board games?', [docs[1], { docid: 'd', title: 'Monopoly', text: 'Monopoly is a board game.' }], rng);
    expect(yn.text).toBe('yes');
    expect(extractAnswer('Who wrote it?', [], rng)).toEqual({ text: '', confidence: 0 });
  });
});
