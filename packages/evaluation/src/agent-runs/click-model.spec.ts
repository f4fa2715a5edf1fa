import type { Trajectory } from '@lrat/trajectory';
import { simulateClicks, clickTrajectories } from '@lrat/agents';
import { calibrationStats } from '../calibration';

// The click model's browses measured with the calibration statistics (the model itself is tested in
// @lrat/agents).
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
});
