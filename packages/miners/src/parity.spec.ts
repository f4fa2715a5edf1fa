import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { mineToFile } from './mine-to-file';

const data = path.resolve(__dirname, '../../../data/lrat-examples');

interface Row {
  query: unknown;
  pos: string[];
  neg: string[];
  pos_id: string[];
  neg_id: string[];
  reasoning_len: number;
  satisfied: boolean;
  reweight_rate: number;
}

function compare(actualText: string, expectedText: string): void {
  const a = actualText.trim().split('\n').map((l) => JSON.parse(l) as Row);
  const e = expectedText.trim().split('\n').map((l) => JSON.parse(l) as Row);
  expect(a.length).toBe(e.length);
  a.forEach((row, i) => {
    const { reweight_rate: wa, ...ra } = row;
    const { reweight_rate: we, ...re } = e[i];
    expect({ i, ...ra }).toEqual({ i, ...re });
    expect(Math.abs(wa - we)).toBeLessThanOrEqual(1e-9);
    expect(Object.keys(row)).toEqual(['query', 'pos', 'neg', 'pos_id', 'neg_id', 'reasoning_len', 'satisfied', 'reweight_rate']);
  });
}

describe('parity with the official builder on the shipped trajectories', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'lrat-parity-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([0, 2])('equals parity/expected.jsonl (workers=%i)', async (workers) => {
    const out = path.join(dir, `x${workers}.jsonl`);
    const summary = await mineToFile({
      trajectories: [path.join(data, 'trajectories')],
      format: 'lrat',
      corpus: path.join(data, 'parity/corpus.jsonl'),
      judge: { kind: 'replay', verdicts: path.join(data, 'parity/verdicts.jsonl') },
      tokenizer: 'whitespace',
      out,
      workers,
    });
    const expected = readFileSync(path.join(data, 'parity/expected.jsonl'), 'utf8');
    compare(readFileSync(out, 'utf8'), expected);
    expect(summary.samples).toBe(22);
    expect(summary.trajectories).toBe(10);
    // Byte for byte, weights included: the same separators, key order, escapes and float repr, and
    // exp() rounded as CPython's (glibc) rounds it on these inputs.
    expect(readFileSync(out, 'utf8')).toBe(expected);
  });
});
