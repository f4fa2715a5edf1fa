import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadEncoder } from '@lrat/trainer';
import { runEncode, type EncodeArgs } from './encode';
import { runIndex } from './index-corpus';
import { runSearch } from './search';
import { runTrain, type TrainArgs } from './train';

// The tiny BERT folders and their expected embeddings come from tools/reference/bert_reference.py
// (an independent PyTorch implementation of sentence-transformers' encode()).
const repo = path.resolve(__dirname, '../../../..');
const FIXTURES = path.join(repo, 'packages', 'trainer', 'testdata', 'tiny-bert');
const silent = () => undefined;
let tmp: string;
let expected: { texts: string[]; models: Record<string, Record<string, { embeddings: number[][] }>> };

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-cli-transformer-'));
  expected = JSON.parse(await fsp.readFile(path.join(FIXTURES, 'expected.json'), 'utf8'));
});
afterAll(() => fsp.rm(tmp, { recursive: true, force: true }));

const encodeArgs = (over: Partial<EncodeArgs>): EncodeArgs => ({ model: '', input: '', out: '', side: 'document', batchSize: 7, format: 'auto', backend: 'wasm', quiet: true, ...over });

async function readMatrix(dir: string): Promise<Float32Array> {
  const buf = await fsp.readFile(path.join(dir, 'embeddings.f32'));
  return new Float32Array(new Uint8Array(buf).buffer);
}

describe('lrat encode / train / index with Hugging Face folders', () => {
  it('encode gives the reference sentence-transformers embeddings, one row per line (empty lines included)', async () => {
    // Texts with a line break cannot be lines of a text file.
    const rows = expected.texts.map((t, i) => ({ t, i })).filter(({ t }) => !/[\r\n]/.test(t));
    const input = path.join(tmp, 'texts.txt');
    await fsp.writeFile(input, rows.map((r) => r.t).join('\n') + '\n');
    for (const [name, normalized] of [['st-classic', true], ['st-v5', false]] as const) {
      const out = path.join(tmp, `emb-${name}`);
      const summary = await runEncode(encodeArgs({ model: path.join(FIXTURES, name), input, out }), silent);
      expect(summary.count).toBe(rows.length);
      const m = await readMatrix(out);
      const ref = expected.models[name].document.embeddings;
      let diff = 0;
      rows.forEach(({ i }, r) => ref[i].forEach((v, j) => (diff = Math.max(diff, Math.abs(v - m[r * summary.dim + j])))));
      expect(diff).toBeLessThan(1e-4);
      const manifest = JSON.parse(await fsp.readFile(path.join(out, 'manifest.json'), 'utf8'));
      expect(manifest).toMatchObject({ normalized, count: rows.length, dim: 32 });
      expect((await fsp.readFile(path.join(out, 'ids.txt'), 'utf8')).split('\n')[1]).toBe('2');
    }
  });

  it('train --encoder <folder> fine-tunes it; the output encodes, indexes and searches like the trained model', async () => {
    const pairs = path.join(tmp, 'pairs.jsonl');
    const topics = ['the quick brown fox', 'hello world', 'dense retrieval with agents', 'search the index', 'lazy dog jumps', 'numbers and symbols'];
    await fsp.writeFile(pairs, topics.map((t, i) => JSON.stringify({ query: `about ${t}`, pos: [`${t} document`], neg: [`${topics[(i + 1) % topics.length]} document`] })).join('\n') + '\n');
    const out = path.join(tmp, 'model');
    const args: TrainArgs = { pairs, encoder: path.join(FIXTURES, 'hf-bare'), pooling: 'mean', trainLayers: '1', queryMaxLen: 10, passageMaxLen: 16, out, epochs: 1, batchSize: 3, groupSize: 2, temperature: 0.05, lr: 1e-3, warmup: 0, seed: 1, unweighted: false, evalEvery: 0, checkpointEvery: 0, resume: false, backend: 'wasm', adapter: 'linear', quiet: true };
    const res = await runTrain(args, silent);
    expect(res.steps).toBe(2);
    const pooling = JSON.parse(await fsp.readFile(path.join(out, '1_Pooling', 'config.json'), 'utf8'));
    expect(pooling).toMatchObject({ pooling_mode_mean_tokens: true, pooling_mode_cls_token: false });

    const corpus = path.join(tmp, 'corpus.jsonl');
    await fsp.writeFile(corpus, topics.map((t, i) => JSON.stringify({ _id: `d${i}`, text: `${t} document` })).join('\n') + '\n');
    const emb = path.join(tmp, 'emb-trained');
    await runEncode(encodeArgs({ model: out, input: corpus, out: emb }), silent);
    const enc = await loadEncoder(out);
    const direct = await enc.embedDocuments(topics.map((t) => `${t} document`));
    expect(Array.from(await readMatrix(emb))).toEqual(Array.from(direct));
    enc.dispose();

    const idx = path.join(tmp, 'idx');
    const manifest = await runIndex({ corpus, encoder: out, factory: 'Flat', out: idx, hybrid: false, k1: 0.9, b: 0.4, batchSize: 4, quiet: true }, { say: silent });
    expect(manifest.encoder).toMatchObject({ path: out });
    const { hits } = await runSearch({ index: idx, query: 'hello world document', k: 1, json: true, tag: 'x', batchSize: 8, quiet: true }, { write: silent, say: silent });
    expect(hits).toHaveLength(1);
  });

  it('rejects transformer-only flags with a built-in encoder and a missing folder', async () => {
    const base = { pairs: 'p.jsonl', out: path.join(tmp, 'x'), epochs: 1, batchSize: 2, groupSize: 2, temperature: 0.02, warmup: 0, seed: 0, unweighted: false, evalEvery: 0, checkpointEvery: 0, resume: false, backend: 'wasm', adapter: 'linear' as const, quiet: true };
    await expect(runTrain({ ...base, encoder: 'bow', trainLayers: '2' }, silent)).rejects.toThrow(/--train-layers only apply to a transformer folder/);
    await expect(runTrain({ ...base, encoder: path.join(tmp, 'nowhere') }, silent)).rejects.toThrow(/neither an encoder kind .* nor a model folder/);
  });
});
