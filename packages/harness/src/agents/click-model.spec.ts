import type { Trajectory } from '@lrat/trajectory';
import { simulateClicks, mineClickLogs, clickTrajectories, ClickLog } from './click-model';
import { calibrationStats } from '../calibration';

const list = (n: number) => Array.from({ length: n }, (_, i) => ({ docid: `d${i + 1}`, rank: i + 1 }));
const trajectories: Trajectory[] = Array.from({ length: 300 }, (_, i) => ({
  id: `t${i}`,
  questionId: `q${i}`,
  question: 'q',
  steps: [{ type: 'search', query: `query ${i}`, results: list(10) }],
}));
// Relevant docs spread evenly over ranks, so any top-heaviness of clicks is position bias.
const evidenceOf = (qid: string) => [`d${(Number(qid.slice(1)) % 10) + 1}`];

describe('click model', () => {
  it('is deterministic and position-biased (clicks concentrate at the top, unlike agent browses)', () => {
    const logs = simulateClicks(trajectories, evidenceOf, { seed: 1 });
    expect(simulateClicks(trajectories, evidenceOf, { seed: 1 })).toEqual(logs);
    expect(logs).toHaveLength(300);
    const ranks = calibrationStats(clickTrajectories(logs).map((t) => ({ trajectory: t, success: true, evidence: [] }))).browseRankShare;
    expect(ranks[0]).toBeGreaterThan(2 * ranks[9]);
    expect(ranks[0] + ranks[1] + ranks[2]).toBeGreaterThan(0.5);
    for (const l of logs) for (const c of l.clicks) expect(c).toBeLessThanOrEqual(l.examinedTo);
  });

  it('mines clicked = positive, skipped above = negatives, no judge and no weights', () => {
    const logs: ClickLog[] = [
      { trajectoryId: 't', query: 'q', results: ['a', 'b', 'c', 'd'], clicks: [2, 4], examinedTo: 4 },
      { trajectoryId: 't', query: 'q2', results: ['a', 'b', 'c'], clicks: [1], examinedTo: 2 },
      { trajectoryId: 't', query: 'q3', results: ['a', 'b'], clicks: [1], examinedTo: 1 },
    ];
    const text = (d: string) => (d === 'zz' ? undefined : `text ${d}`);
    const { samples, dropped } = mineClickLogs(logs, text);
    expect(samples).toEqual([
      { query: 'q', pos: ['text b'], neg: ['text a'], pos_id: ['b'], neg_id: ['a'], reasoning_len: 0, satisfied: true, reweight_rate: 1 },
      { query: 'q', pos: ['text d'], neg: ['text a', 'text c'], pos_id: ['d'], neg_id: ['a', 'c'], reasoning_len: 0, satisfied: true, reweight_rate: 1 },
      { query: 'q2', pos: ['text a'], neg: ['text b'], pos_id: ['a'], neg_id: ['b'], reasoning_len: 0, satisfied: true, reweight_rate: 1 },
    ]);
    expect(dropped).toEqual({ noNegatives: 1, notInCorpus: 0 });
  });
});
