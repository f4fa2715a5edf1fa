import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { checkSampleWeights, loadPairs, parsePairRecord, readPairs, samplesDigest } from './pairs';
import { REPO_ROOT } from './testing/multihop-pairs';

describe('FlagEmbedding pairs', () => {
  it('reads the shipped LRAT training sample, taking reweight_rate as the weight', async () => {
    const file = path.join(REPO_ROOT, 'data', 'lrat-examples', 'training-sample.jsonl');
    const samples = await loadPairs(file);
    expect(samples.length).toBeGreaterThan(0);
    for (const s of samples) {
      expect(typeof s.query).toBe('string');
      expect(s.pos.length).toBeGreaterThan(0);
      expect(Number.isFinite(s.reweight_rate)).toBe(true);
    }
    const unweighted = await loadPairs(file, { weighted: false });
    expect(unweighted.every((s) => s.reweight_rate === 1)).toBe(true);
  });

  it('defaults missing negatives to none and a missing weight to 1', () => {
    expect(parsePairRecord({ query: 'q', pos: ['p'] }, 'x:1')).toEqual({ query: 'q', pos: ['p'], neg: [], reweight_rate: 1 });
  });

  it('trains on satisfied rows only unless told otherwise, and counts both', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-pairs-'));
    const file = path.join(dir, 'p.jsonl');
    const rows = [
      { query: 'a', pos: ['pa'], neg: ['n'], satisfied: true, reweight_rate: 0.5 },
      { query: 'b', pos: ['pb'], neg: ['n'], satisfied: false, reweight_rate: 2 },
      { query: 'c', pos: ['pc'], neg: ['n'] },
    ];
    await fsp.writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const counts = { used: 0, skippedUnsatisfied: 0, withPrompt: 0 };
    const kept = await loadPairs(file, { counts });
    expect(kept.map((s) => s.query)).toEqual(['a', 'c']);
    expect(counts).toEqual({ used: 2, skippedUnsatisfied: 1, withPrompt: 0 });
    const all = await loadPairs(file, { includeUnsatisfied: true });
    expect(all.map((s) => [s.query, s.reweight_rate])).toEqual([['a', 0.5], ['b', 2], ['c', 1]]);
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('returns the LRAT fields of the rows lrat mine writes when asked, checked, and only then', async () => {
    const file = path.join(REPO_ROOT, 'data', 'lrat-examples', 'training-sample.jsonl');
    const lines = (await fsp.readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const rows = await loadPairs(file, { lratFields: true, includeUnsatisfied: true });
    expect(rows.map((r) => [r.pos_id, r.neg_id, r.reasoning_len, r.satisfied])).toEqual(lines.map((l) => [l.pos_id, l.neg_id, l.reasoning_len, l.satisfied]));
    expect(rows.map((r) => r.reweight_rate)).toEqual(lines.map((l) => l.reweight_rate));
    expect(Object.keys((await loadPairs(file))[0]).sort()).toEqual(['neg', 'pos', 'query', 'reweight_rate']);

    const row = { query: 'q', pos: ['p'], neg: ['n'], pos_id: ['d1'], neg_id: ['d2'], reasoning_len: null, satisfied: false };
    expect(parsePairRecord(row, 'x:1', { lratFields: true })).toEqual({ query: 'q', pos: ['p'], neg: ['n'], reweight_rate: 1, pos_id: ['d1'], neg_id: ['d2'], reasoning_len: null, satisfied: false });
    expect(() => parsePairRecord({ ...row, neg_id: undefined }, 'x:1', { lratFields: true })).toThrow(/x:1: field "neg_id" is missing/);
    expect(() => parsePairRecord({ ...row, reasoning_len: 2.5 }, 'x:1', { lratFields: true })).toThrow(/x:1: field "reasoning_len" must be a whole number/);
    expect(() => parsePairRecord({ ...row, satisfied: null }, 'x:1', { lratFields: true })).toThrow(/x:1: field "satisfied" must be true or false/);
    expect(() => parsePairRecord({ ...row, pos_id: [3] }, 'x:1', { lratFields: true })).toThrow(/x:1: field "pos_id\[0\]" must be a string/);
  });

  it("puts FlagEmbedding's optional prompt in front of the query", () => {
    expect(parsePairRecord({ query: 'what is x', pos: ['p'], prompt: 'Represent this question: ' }, 'x:1').query).toBe('Represent this question: what is x');
    expect(() => parsePairRecord({ query: 'q', pos: ['p'], prompt: 3 }, 'x:1')).toThrow(/x:1: field "prompt" must be a string/);
    expect(() => parsePairRecord({ query: 'q', pos: ['p'], satisfied: 'yes' }, 'x:1')).toThrow(/x:1: field "satisfied" must be true or false/);
  });

  it('names file, line and field on bad input', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-pairs-'));
    const file = path.join(dir, 'p.jsonl');
    const cases: Array<[string, RegExp]> = [
      ['{"query": "q", "pos": ["p"], "neg": [1]}', /p\.jsonl:2: field "neg\[0\]" must be a string/],
      ['{"query": "q", "pos": []}', /p\.jsonl:2: field "pos" must hold at least one passage/],
      ['{"pos": ["p"]}', /p\.jsonl:2: field "query" is missing/],
      ['{"query": "q", "pos": ["p"], "reweight_rate": "high"}', /p\.jsonl:2: field "reweight_rate" must be a finite number/],
      ['{"query": "q", "pos": "p"}', /p\.jsonl:2: field "pos" must be an array of strings/],
      ['{not json', /p\.jsonl:2: invalid JSON/],
      ['[1]', /p\.jsonl:2: expected a JSON object/],
    ];
    for (const [bad, message] of cases) {
      await fsp.writeFile(file, `{"query": "ok", "pos": ["p"], "neg": ["n"]}\n${bad}\n`);
      const read = async () => {
        for await (const _ of readPairs(file)) void _;
      };
      await expect(read()).rejects.toThrow(message);
    }
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('an infinite weight is reported as Infinity, with line and field', () => {
    expect(() => parsePairRecord(JSON.parse('{"query": "q", "pos": ["p"], "reweight_rate": 1e999}'), 'p.jsonl:7')).toThrow(
      'p.jsonl:7: field "reweight_rate" must be a finite number ≥ 0, got Infinity',
    );
  });

  it('refuses a training set whose weights are all zero instead of training to loss 0', () => {
    const zero = [parsePairRecord({ query: 'q', pos: ['p'], reweight_rate: 0 }, 'p.jsonl:1'), parsePairRecord({ query: 'r', pos: ['p'], reweight_rate: 0 }, 'p.jsonl:2')];
    expect(() => checkSampleWeights(zero, 'p.jsonl')).toThrow(/p\.jsonl: every one of the 2 samples has weight 0 \(reweight_rate\)/);
    expect(() => checkSampleWeights([...zero, parsePairRecord({ query: 's', pos: ['p'], reweight_rate: 0.5 }, 'p.jsonl:3')], 'p.jsonl')).not.toThrow();
  });

  it('digests the samples content: one changed passage changes the digest', () => {
    const a = [{ query: 'q', pos: ['p'], neg: ['n'], reweight_rate: 1 }];
    const b = [{ query: 'q', pos: ['p'], neg: ['m'], reweight_rate: 1 }];
    expect(samplesDigest(a)).toBe(samplesDigest([{ ...a[0] }]));
    expect(samplesDigest(a)).not.toBe(samplesDigest(b));
    expect(samplesDigest([{ query: 'ab', pos: ['c'], neg: [], reweight_rate: 1 }])).not.toBe(samplesDigest([{ query: 'a', pos: ['bc'], neg: [], reweight_rate: 1 }]));
  });
});
