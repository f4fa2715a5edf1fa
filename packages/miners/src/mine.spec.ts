import { parseTrajectoryText, type Trajectory } from '@lrat/trajectory';
import { MapCorpus } from './corpus';
import type { Judge } from './judges/judge';
import type { LratSample } from '@lrat/core';
import { judgedTexts, mineSteps } from './mine';
import { mineTrajectory, mineTrajectorySync } from './mine-all';
import { whitespaceTokenizer } from './tokenizers';

// Each rule of docs/lrat-algorithm.md §2 on a hand-made official-format trajectory.

const S = (query: unknown, docs: (string | number)[]) => ({
  type: 'tool_call',
  tool_name: 'search',
  arguments: JSON.stringify({ query: [query, 'second sub-query'] }),
  output: `A search found ${docs.length} results:\n\n## Web Results\n` + docs.map((d) => `DocID:${d}\n[Title ${d}]\nsnippet`).join('\n'),
});
const B = (docid: unknown, tool = 'get_document') => ({ type: 'tool_call', tool_name: tool, arguments: docid === undefined ? '{}' : JSON.stringify({ docid }), output: 'full text' });
const R = (output: unknown) => ({ type: 'reasoning', tool_name: 'None', arguments: 'None', output });

function traj(steps: unknown[]): Trajectory {
  const item = parseTrajectoryText(JSON.stringify({ query: 'q', result: steps }), { file: 't.json' }, 'lrat');
  if (!item.ok) throw item.error;
  return item.trajectory;
}

// Corpus: ids 1..30 except 29; "BAD" in reasoning = NOT_RELEVANT.
const corpus = new MapCorpus(new Map(Array.from({ length: 30 }, (_, i) => [String(i + 1), `doc ${i + 1}`] as [string, string]).filter(([k]) => k !== '29')));
const asked: string[] = [];
const judge: Judge = {
  name: 'marker',
  judgeSync: (t) => (asked.push(t), !t.includes('BAD')),
  judge: async (ts) => ts.map((t) => !t.includes('BAD')),
};
const mine = (steps: unknown[]) => mineTrajectorySync(traj(steps), { judge, tokenizer: whitespaceTokenizer, corpus });
const brief = (s: LratSample) => ({ q: s.query, pos: s.pos_id[0], neg: s.neg_id, sat: s.satisfied, len: s.reasoning_len });

beforeEach(() => (asked.length = 0));

describe('mining rules', () => {
  it('a satisfied browse: unbrowsed results are negatives in rank order; the first sub-query is the query', () => {
    const out = mine([R('plan'), S('q1', [1, 2, 3]), B(2), R('good find here')]);
    expect(out.map(brief)).toEqual([{ q: 'q1', pos: '2', neg: ['1', '3'], sat: true, len: 3 }]);
    expect(out[0].pos).toEqual(['doc 2']);
    expect(out[0].neg).toEqual(['doc 1', 'doc 3']);
  });

  it('negatives: run rejects latest first, then earlier rejects, then unbrowsed (latest search first); reset after a satisfied run', () => {
    const out = mine([S('q1', [1, 2, 3, 4]), B(1), R('BAD one'), S('q2', [5, 6, 1, 7]), B(5), R('BAD'), B(8), R('BAD'), B(6), R('good'), S('q3', [9, 2]), B(9), R('ok')]);
    expect(out.map(brief)).toEqual([
      { q: 'q1', pos: '1', neg: ['2', '3', '4'], sat: false, len: 2 },
      // run [5 ✗, 8 ✗ (never shown: no sample), 6 ✓]
      { q: 'q2', pos: '5', neg: ['8', '1', '7', '2', '3', '4'], sat: false, len: 1 },
      { q: 'q2', pos: '6', neg: ['8', '5', '1', '7', '2', '3', '4'], sat: true, len: 1 },
      // history, rejects and query were reset: only q3's list remains
      { q: 'q3', pos: '9', neg: ['2'], sat: true, len: 1 },
    ]);
  });

  it('a rejected browse keeps the other rejects but never itself or the satisfied docs', () => {
    const out = mine([S('q', [1, 2, 3, 4]), B(1), R('BAD'), B(2), R('BAD'), B(3), R('fine')]);
    expect(out.map(brief)).toEqual([
      { q: 'q', pos: '1', neg: ['2', '4'], sat: false, len: 1 },
      { q: 'q', pos: '2', neg: ['1', '4'], sat: false, len: 1 },
      { q: 'q', pos: '3', neg: ['2', '1', '4'], sat: true, len: 1 },
    ]);
  });

  it('consecutive unsatisfied runs accumulate rejects without resetting', () => {
    const out = mine([S('q', [1, 2, 3]), B(1), R('BAD'), R('thinking'), B(2), R('BAD'), S('q2', [3, 4]), B(3), R('yes')]);
    expect(out.map(brief)).toEqual([
      { q: 'q', pos: '1', neg: ['2', '3'], sat: false, len: 1 },
      { q: 'q', pos: '2', neg: ['1', '3'], sat: false, len: 1 },
      { q: 'q2', pos: '3', neg: ['2', '1', '4'], sat: true, len: 1 },
    ]);
  });

  it('a browse before any search: judged, no sample (never shown), query ""', () => {
    const out = mine([B(1), R('good'), S('q', [1]), B(1), R('good')]);
    expect(asked).toEqual(['good', 'good']);
    expect(out.map(brief)).toEqual([{ q: 'q', pos: '1', neg: [], sat: true, len: 1 }]);
  });

  it('docs missing from the corpus: no sample for the positive, dropped from negatives', () => {
    const out = mine([S('q', [29, 1, 2]), B(29), R('BAD'), B(1), R('good')]);
    expect(out.map(brief)).toEqual([{ q: 'q', pos: '1', neg: ['2'], sat: true, len: 1 }]);
  });

  it('a browse without doc id is skipped but continues the run', () => {
    // Same run: 1's negatives exclude 2 (browsed in the run).
    const same = mine([S('q', [1, 2, 3]), B(1), R('BAD'), B(undefined), B(2), R('good')]);
    expect(same.map(brief)[0]).toEqual({ q: 'q', pos: '1', neg: ['3'], sat: false, len: 1 });
    expect(asked).toEqual(['BAD', 'good']);
  });

  it('a browse without doc id followed by reasoning ends the run; the previous browse had no reasoning', () => {
    asked.length = 0;
    const out = mine([S('q', [1, 2, 3]), B(1), B(null), R('BAD words'), B(2), R('good')]);
    expect(asked).toEqual(['', 'good']);
    expect(out.map(brief)).toEqual([{ q: 'q', pos: '1', neg: ['2', '3'], sat: true, len: 0 }]);
    // the run was satisfied, so 2's run starts from an empty history: never shown, no sample
  });

  it('visit tool, prefixed, list and numeric doc ids', () => {
    const out = mine([S('q', [1, 2, 3, 4, '5.0']), B('wiki:2', 'visit'), R('BAD'), B(['a:b:3', 'x']), R('BAD'), B(4), R('BAD'), B(5.5), R('BAD'), B([]), R('BAD')]);
    expect(out.map((s) => s.pos_id[0])).toEqual(['2', '3', '4']);
    expect(asked).toEqual(['BAD', 'BAD', 'BAD', 'BAD']); // 5.5 judged (no sample: never shown); [] is no doc id
  });

  it('list-valued, missing, null and numeric reasoning outputs are read as Python str() would', () => {
    mine([S('q', [1, 2, 3, 4]), B(1), R(['a', 1, null, true, 2.5]), B(2), { type: 'reasoning' }, B(3), R(null), B(4), R(12)]);
    expect(asked).toEqual(['a 1 None True 2.5', '', 'None', '12']);
  });

  it('duplicate result ids appear once, at their first occurrence (latest search first)', () => {
    const out = mine([S('q', [1, 2, 3]), S('q2', [3, 4, 2]), B(4), R('good')]);
    expect(out.map(brief)).toEqual([{ q: 'q2', pos: '4', neg: ['3', '2', '1'], sat: true, len: 1 }]);
  });

  it('a doc browsed twice in a run yields two samples', () => {
    const out = mine([S('q', [1, 2]), B(1), R('BAD'), B(1), R('good')]);
    expect(out.map(brief)).toEqual([
      { q: 'q', pos: '1', neg: ['2'], sat: false, len: 1 },
      { q: 'q', pos: '1', neg: ['2'], sat: true, len: 1 }, // its own rejection is dropped: it is satisfied in the run
    ]);
  });

  it('non-string first sub-queries are kept as JSON values', () => {
    const out = mine([S(5, [1]), B(1), R('ok'), S({ a: [1, 'x'] }, [2]), B(2), R('ok'), S(0, [3]), B(3), R('ok')]);
    expect(out.map((s) => [s.query, s.queryJson])).toEqual([
      ['5', '5'],
      ["{'a': [1, 'x']}", '{"a": [1, "x"]}'],
      ['', undefined],
    ]);
  });

  it('judgedTexts lists exactly the texts mineSteps judges, and the async path agrees', async () => {
    const t = traj([S('q', [1, 2, 3]), B(1), R('BAD'), B(undefined), B(2), R('good'), B(3)]);
    const seen: string[] = [];
    const sync = mineSteps(t, { verdict: (x) => (seen.push(x), !x.includes('BAD')), length: () => null, corpus });
    expect(judgedTexts(t)).toEqual(seen);
    const asyncJudge: Judge = { name: 'async', judge: async (ts) => ts.map((x) => !x.includes('BAD')) };
    const viaAsync = await mineTrajectory(t, { judge: asyncJudge, tokenizer: null, corpus });
    expect(viaAsync).toEqual(sync);
    expect(sync.every((s) => s.reasoning_len === null)).toBe(true);
  });
});
