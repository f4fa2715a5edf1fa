import { mineClickLogs, type ClickLog } from './click-model';

describe('click model', () => {
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
