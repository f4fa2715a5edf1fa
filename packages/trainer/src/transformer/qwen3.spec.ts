import { promises as fsp, readFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { selectBackend } from '../backend/select-backend';
import { TransformerEncoder } from '../encoders/transformer';
import { writeTinyQwen3 } from '../testing/tiny-qwen3';
import { parseQwen3Config } from './qwen3';

// Expected ids and embeddings from tools/reference/qwen3_reference.py (independent PyTorch, float64)
// for the weights of the shared generator in testing/tiny-qwen3.ts and the real Qwen3 tokenizer.
interface SideExpected {
  texts: string[];
  ids: number[][];
  embeddings: number[][];
}
const expected = JSON.parse(readFileSync(path.join(__dirname, '../../testdata/tiny-qwen3/expected.json'), 'utf8')) as { document: SideExpected; query: SideExpected };

let tmp: string;
const encoders: TransformerEncoder[] = [];
beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-qwen3-'));
});
afterAll(async () => {
  for (const e of encoders) e.dispose();
  await fsp.rm(tmp, { recursive: true, force: true });
});

async function load(name: string, options: Parameters<typeof writeTinyQwen3>[1]): Promise<TransformerEncoder> {
  const dir = path.join(tmp, name);
  await writeTinyQwen3(dir, options);
  const enc = await TransformerEncoder.load({ model: dir });
  encoders.push(enc);
  return enc;
}

function maxAbsDiff(ours: Float32Array, ref: number[][], dim: number): number {
  let worst = 0;
  ref.forEach((row, i) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(ours[i * dim + j] - v)))));
  return worst;
}

describe('Qwen3 (Qwen3-Embedding) encoder against the PyTorch reference', () => {
  const variants: Array<[string, Parameters<typeof writeTinyQwen3>[1]]> = [
    ['fp16, one file, Qwen3Model names, pooling_mode "lasttoken"', { dtype: 'F16', poolingLayout: 'v5' }],
    ['fp32, two shards + index.json, "model." names, pooling_mode_lasttoken', { dtype: 'F32', sharded: true, poolingLayout: 'classic' }],
  ];
  it.each(variants)('%s: token ids, documents and prompted queries within 1e-4', async (name, options) => {
    const enc = await load(name.replace(/[^a-z0-9]+/gi, '-'), options);
    expect(enc.dim).toBe(32);
    for (const side of ['document', 'query'] as const) {
      const e = expected[side];
      e.texts.forEach((t, i) => expect(enc.tokenIds(t, side)).toEqual(e.ids[i]));
      const ours = side === 'query' ? await enc.embedQueries(e.texts) : await enc.embedDocuments(e.texts);
      const diff = maxAbsDiff(ours, e.embeddings, enc.dim);
      expect(diff).toBeLessThan(1e-4);
    }
  }, 600_000);

  it('left padding does not change a text’s vector (mixed lengths in one batch vs each alone)', async () => {
    const enc = encoders[0] ?? (await load('pad', {}));
    const texts = expected.document.texts;
    const batch = await enc.embedDocuments(texts);
    for (let i = 0; i < texts.length; i++) {
      const alone = await enc.embedDocuments([texts[i]]);
      for (let j = 0; j < enc.dim; j++) expect(Math.abs(batch[i * enc.dim + j] - alone[j])).toBeLessThan(1e-5);
    }
  });

  it('rejects configs it cannot run, naming the file and field', () => {
    const base = { model_type: 'qwen3', vocab_size: 10, hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, head_dim: 4 };
    expect(() => parseQwen3Config({ ...base, num_key_value_heads: 3 }, 'c.json')).toThrow(/c\.json: num_attention_heads 2 is not a multiple of num_key_value_heads 3/);
    expect(() => parseQwen3Config({ ...base, rope_scaling: { rope_type: 'yarn', factor: 4 } }, 'c.json')).toThrow(/c\.json: field "rope_scaling"/);
    expect(() => parseQwen3Config({ ...base, hidden_act: 'gelu' }, 'c.json')).toThrow(/c\.json: field "hidden_act"/);
    expect(parseQwen3Config({ ...base, head_dim: undefined }).headDim).toBe(4);
  });
});
