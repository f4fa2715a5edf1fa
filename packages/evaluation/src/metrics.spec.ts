import type { Trajectory } from '@lrat/trajectory';
import { trajectoryCounts, pairedBootstrap, perQuestionCsv, ndcgAtK, recallAtK, summarize, QuestionResult } from './metrics';
import { exactMatch, tokenF1, normalizeAnswer } from './judge/answer-match';

const traj: Trajectory = {
  id: 't',
  question: 'q',
  steps: [
    { type: 'search', query: 'a', results: [{ docid: 'd1' }, { docid: 'd2' }] },
    { type: 'browse', docid: 'd2' },
    { type: 'reasoning', text: 'ok' },
    { type: 'search', query: 'b', results: [{ docid: 'd3' }] },
    { type: 'answer', text: 'x' },
  ],
};

describe('trajectoryCounts', () => {
  it('counts tool calls and evidence shown in any result list', () => {
    expect(trajectoryCounts(traj, ['d1', 'd9'])).toEqual({ searches: 2, browses: 1, steps: 3, evidenceRecall: 0.5, evidenceBrowsed: 0 });
    expect(trajectoryCounts(traj, ['d2', 'd3']).evidenceBrowsed).toBe(0.5);
    expect(trajectoryCounts(traj, []).evidenceRecall).toBe(0);
  });
});

describe('answer matching (SQuAD rules)', () => {
  it('normalises case, punctuation and articles', () => {
    expect(normalizeAnswer('The  Beatles!')).toBe('beatles');
    expect(exactMatch('the October, 1922', 'October 1922')).toBe(true);
    expect(exactMatch('1923', 'October 1922')).toBe(false);
    expect(tokenF1('October 1923', 'October 1922')).toBeCloseTo(0.5);
    expect(tokenF1('nothing', 'October 1922')).toBe(0);
  });
});

describe('pairedBootstrap', () => {
  it('gives a CI around the mean paired difference, excluding 0 for a clear gain', () => {
    const before = Array.from({ length: 200 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const after = before.map((b, i) => (b === 1 || i % 2 === 0 ? 1 : 0));
    const r = pairedBootstrap(before, after, { seed: 1 });
    expect(r.diff).toBeCloseTo(r.after - r.before);
    expect(r.ciLow).toBeGreaterThan(0);
    expect(r.ciLow).toBeLessThanOrEqual(r.diff);
    expect(r.ciHigh).toBeGreaterThanOrEqual(r.diff);
    expect(pairedBootstrap(before, after, { seed: 1 })).toEqual(r);
  });
  it('includes 0 when nothing changes on average', () => {
    const before = Array.from({ length: 100 }, (_, i) => i % 2);
    const after = before.map((b) => 1 - b);
    const r = pairedBootstrap(before, after, { seed: 3 });
    expect(r.ciLow).toBeLessThan(0);
    expect(r.ciHigh).toBeGreaterThan(0);
  });
  it('rejects unpaired input', () => {
    expect(() => pairedBootstrap([1], [1, 2])).toThrow(/1 values before vs 2 after/);
  });
});

describe('retrieval metrics and CSV', () => {
  it('computes nDCG@10 and Recall@100', () => {
    const rels = new Map([['a', 1], ['b', 1]]);
    expect(ndcgAtK(['a', 'b', 'c'], rels, 10)).toBeCloseTo(1);
    expect(ndcgAtK(['c', 'a'], rels, 10)).toBeCloseTo(1 / Math.log2(3) / (1 + 1 / Math.log2(3)));
    expect(recallAtK(['c', 'a'], rels, 100)).toBe(0.5);
  });
  it('quotes CSV cells and summarises rows', () => {
    const row: QuestionResult = { questionId: 'q1', agent: 'a', retriever: 'base', success: true, exactMatch: true, f1: 1, finalAnswer: 'say "hi", then', goldAnswer: 'x', judge: 'em', searches: 2, browses: 1, steps: 3, evidenceRecall: 0.5, evidenceBrowsed: 0 };
    const csv = perQuestionCsv([row]);
    expect(csv.split('\n')[1]).toContain('"say ""hi"", then"');
    expect(summarize([row, { ...row, success: false, steps: 5 }])).toMatchObject({ questions: 2, success: 0.5, steps: 4 });
  });
});
