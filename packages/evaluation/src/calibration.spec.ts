import type { Trajectory } from '@lrat/trajectory';
import { calibrationStats } from './calibration';

const t = (steps: Trajectory['steps']): Trajectory => ({ id: 'x', question: 'q', steps });
const results = (...ids: string[]) => ids.map((docid, i) => ({ docid, rank: i + 1 }));

describe('calibrationStats', () => {
  it('groups solved/failed, finds browse ranks in the latest list and reasoning lengths by evidence', () => {
    const solved = t([
      { type: 'search', query: 'a', results: results('d1', 'd2', 'd3') },
      { type: 'browse', docid: 'd3' },
      { type: 'reasoning', text: 'one two three four' },
      { type: 'search', query: 'b', results: results('d3', 'd4') },
      { type: 'browse', docid: 'd4' },
      { type: 'reasoning', text: 'not relevant' },
    ]);
    const failed = t([
      { type: 'search', query: 'a', results: results('d1') },
      { type: 'search', query: 'b', results: results('d9') },
      { type: 'browse', docid: 'zz' },
      { type: 'answer', text: 'x' },
    ]);
    const s = calibrationStats([
      { trajectory: solved, success: true, evidence: ['d3'] },
      { trajectory: failed, success: false, evidence: ['d1'] },
    ]);
    expect(s.solved).toEqual({ tasks: 1, searches: 2, browses: 2, browseSearchRatio: 1 });
    expect(s.failed).toEqual({ tasks: 1, searches: 2, browses: 1, browseSearchRatio: 0.5 });
    expect(s.all.browseSearchRatio).toBeCloseTo(0.75);
    expect(s.browseRankShare.slice(0, 3)).toEqual([0, 0.5, 0.5]);
    expect(s.browsesUnshown).toBe(1);
    expect(s.reasoningTokensAfterEvidence).toBe(4);
    expect(s.reasoningTokensAfterNonEvidence).toBe(1);
  });
});
