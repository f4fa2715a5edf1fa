import { promises as fsp } from 'fs';
import * as path from 'path';
import { selectBackend } from '../backend/select-backend';
import { loadEncoder } from '../encoders';
import { TransformerEncoder } from '../encoders/transformer';

// Fixtures and expectations come from tools/reference/bert_reference.py (an independent PyTorch
// implementation of the BERT forward, the Rust tokenizer semantics and sentence-transformers' modules).
const FIXTURES = path.join(__dirname, '..', '..', 'testdata', 'tiny-bert');

interface Expected {
  texts: string[];
  models: Record<string, Record<string, { ids: number[][]; embeddings: number[][] }>>;
}

let expected: Expected;

function maxAbsDiff(ours: Float32Array, ref: number[][]): number {
  let m = 0;
  const dim = ref[0].length;
  ref.forEach((row, i) => row.forEach((v, j) => (m = Math.max(m, Math.abs(v - ours[i * dim + j])))));
  return m;
}

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  expected = JSON.parse(await fsp.readFile(path.join(FIXTURES, 'expected.json'), 'utf8')) as Expected;
});

describe('BERT-family folders match the PyTorch reference', () => {
  // Every row has four entries: jest passes a `done` callback to a test whose function takes more.
  const cases: Array<[string, string, 'query' | 'document', 'cls' | 'mean' | null]> = [
    ['st-classic', 'document', 'document', null],
    ['st-v5', 'document', 'document', null],
    ['st-v5', 'query', 'query', null],
    ['st-fp16', 'document', 'document', null],
    ['hf-bare', 'cls', 'document', 'cls'],
    ['hf-bare', 'mean', 'document', 'mean'],
  ];
  it.each(cases)('%s (%s): token ids equal and embeddings within 1e-4', async (name, key, side, pooling) => {
    const ref = expected.models[name][key];
    const encoder = (await loadEncoder(path.join(FIXTURES, name), pooling ? { pooling } : {})) as TransformerEncoder;
    try {
      expect(encoder.kind).toBe('transformer');
      expect(expected.texts.map((t) => encoder.tokenIds(t, side))).toEqual(ref.ids);
      const ours = side === 'query' ? await encoder.embedQueries(expected.texts) : await encoder.embedDocuments(expected.texts);
      const diff = maxAbsDiff(ours, ref.embeddings);
      process.stdout.write(`parity ${name} ${key}: max abs diff ${diff.toExponential(2)}\n`);
      expect(diff).toBeLessThan(1e-4);
    } finally {
      encoder.dispose();
    }
  });
});
