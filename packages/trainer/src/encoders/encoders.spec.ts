import { promises as fsp, readFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select-backend';
import { SentencePieceTokenizer, Vocabulary } from '../use/sentencepiece-tokenizer';
import { useModelDir } from '../use/use-model';
import { MULTIHOP_DIR } from '../testing/multihop-pairs';
import { createEncoder, loadEncoder } from './index';
import { UseAdapterEncoder } from './use-adapter';

let tmp: string;
beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-enc-'));
});
afterAll(() => fsp.rm(tmp, { recursive: true, force: true }));

const corpusTexts = (n: number) =>
  readFileSync(path.join(MULTIHOP_DIR, 'corpus.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, n)
    .map((l) => JSON.parse(l).text as string);

/** The USE tokenizer of the @energetic-ai/embeddings package (loading it also loads its own tfjs copy). */
function referenceTokenizer(vocab: Vocabulary): { encode(t: string): number[] } {
  const quiet = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  const quietLog = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const { EmbeddingsModel } = require('@energetic-ai/embeddings') as { EmbeddingsModel: new (d: unknown) => { tokenizer: { encode(t: string): number[] } } };
    return new EmbeddingsModel({ vocabulary: vocab, model: null }).tokenizer;
  } finally {
    quiet.mockRestore();
    quietLog.mockRestore();
  }
}

describe('USE-lite SentencePiece tokenizer', () => {
  it('produces the same ids as the USE JavaScript package on real paragraphs and edge cases', () => {
    const vocab = JSON.parse(readFileSync(path.join(useModelDir(), 'vocab.json'), 'utf8')) as Vocabulary;
    const ours = new SentencePieceTokenizer(vocab);
    const ref = referenceTokenizer(vocab);
    const texts = [...corpusTexts(300), '', ' ', 'Ünïcödé  double  spaces', '日本語のテキスト', 'emoji 😀 and ☃', 'tab\tand\nnewline', 'ﬁ ligature ＡＢＣ'];
    for (const t of texts) expect(ours.encode(t)).toEqual(ref.encode(t));
  });
});

describe('use-adapter encoder', () => {
  it('starts as the normalised base model, caches base embeddings on disk and round-trips save/load', async () => {
    const cacheDir = path.join(tmp, 'cache');
    const enc = (await createEncoder('use-adapter', { cacheDir })) as UseAdapterEncoder;
    const texts = ['Who founded the Bauhaus school?', 'Walter Gropius founded the Bauhaus in Weimar in 1919.', 'Bananas are yellow.'];
    const base = await enc.baseEmbeddings(texts, 'document');
    const docs = await enc.embedDocuments(texts);
    expect(enc.dim).toBe(512);
    for (let i = 0; i < texts.length; i++) {
      const row = base.subarray(i * 512, (i + 1) * 512);
      const norm = Math.hypot(...row);
      for (let j = 0; j < 512; j += 37) expect(docs[i * 512 + j]).toBeCloseTo(row[j] / norm, 5);
    }
    // Relevant pair scores above the unrelated one.
    const q = await enc.embedQueries([texts[0]]);
    const dot = (a: Float32Array, b: Float32Array, j: number) => a.reduce((s, v, k) => s + v * b[j * 512 + k], 0);
    expect(dot(q, docs, 1)).toBeGreaterThan(dot(q, docs, 2));
    // Segment files hold exactly the 3 texts: the query (no prefix by default) was already cached.
    await enc.persistCache();
    const segs = (await fsp.readdir(path.join(cacheDir, enc.embeddingVersion))).filter((f) => f.endsWith('.seg'));
    const bytes = (await Promise.all(segs.map((s) => fsp.stat(path.join(cacheDir, enc.embeddingVersion, s))))).reduce((a, s) => a + s.size, 0);
    expect(bytes).toBe(3 * (32 + 512 * 4));

    // Perturb the document adapter, save, load in a fresh encoder: identical vectors, same version.
    const A = (enc.weights().find((w) => w.name === 'document/A') as { variable: tf.Variable }).variable;
    A.assign(tf.randomNormal([512, 512], 0, 0.01, 'float32', 4));
    const changed = await enc.embedDocuments(texts);
    expect(Math.abs(changed[0] - docs[0])).toBeGreaterThan(0);
    const dir = path.join(tmp, 'model');
    await enc.save(dir);
    const loaded = await loadEncoder(dir, { cacheDir });
    expect(loaded.version).toBe(enc.version);
    expect(Array.from(await loaded.embedDocuments(texts))).toEqual(Array.from(changed));
    loaded.dispose();

    // A second encoder reads the cache instead of running the model: the model is never called.
    const again = (await createEncoder('use-adapter', { cacheDir })) as UseAdapterEncoder;
    const spy = jest.spyOn((again as unknown as { model: { embed(t: string[]): Promise<Float32Array> } }).model, 'embed');
    expect(Array.from(await again.baseEmbeddings(texts, 'document'))).toEqual(Array.from(base));
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
    again.dispose();
    enc.dispose();
  });

  it('gathers concurrent small query fills into one model batch, with the vectors single calls give (to 1e-6)', async () => {
    const cacheDir = path.join(tmp, 'cache-gather');
    const enc = (await createEncoder('use-adapter', { cacheDir, embedWorkers: 1 })) as UseAdapterEncoder;
    const queries = ['who designed the eiffel tower', 'capital of australia', 'when did apollo 11 land', 'largest moon of saturn'];
    const spy = jest.spyOn((enc as unknown as { model: { embed(t: string[]): Promise<Float32Array> } }).model, 'embed');
    const together = await Promise.all(queries.map((q) => enc.embedQueries([q])));
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0][0]).toHaveLength(4);
    spy.mockRestore();
    const alone = (await createEncoder('use-adapter', { cacheDir: path.join(tmp, 'cache-alone'), embedWorkers: 1 })) as UseAdapterEncoder;
    for (let i = 0; i < queries.length; i++) {
      const single = await alone.embedQueries([queries[i]]);
      // wasm reduction order depends on the batch: equal to about 2e-7, not bit for bit.
      const maxDiff = together[i].reduce((m, v, j) => Math.max(m, Math.abs(v - single[j])), 0);
      expect(maxDiff).toBeLessThan(1e-6);
    }
    alone.dispose();
    enc.dispose();
  });

  it('trains only the adapters trainSides names, records the choice in its config and rejects others', async () => {
    const cacheDir = path.join(tmp, 'cache-sides');
    const both = (await createEncoder('use-adapter', { cacheDir })) as UseAdapterEncoder;
    expect(both.trainableWeights().map((w) => w.name)).toEqual(['query/A', 'query/b', 'document/A', 'document/b']);
    // The default is not recorded, so models trained before the option keep their version.
    expect(both.config()).not.toHaveProperty('trainSides');
    const query = (await createEncoder('use-adapter', { cacheDir, trainSides: 'query' })) as UseAdapterEncoder;
    expect(query.trainableWeights().map((w) => w.name)).toEqual(['query/A', 'query/b']);
    expect(query.weights()).toHaveLength(4);
    expect(query.config()).toMatchObject({ trainSides: 'query' });
    // A copy made from the config (how the bench and loadEncoder rebuild a model) trains the same side.
    const copy = (await createEncoder('use-adapter', { ...(query.config() as object), cacheDir })) as UseAdapterEncoder;
    expect(copy.trainableWeights().map((w) => w.name)).toEqual(['query/A', 'query/b']);
    expect(copy.version).toBe(query.version);
    expect(query.version).not.toBe(both.version);
    await expect(createEncoder('use-adapter', { cacheDir, trainSides: 'left' as 'query' })).rejects.toThrow(/trainSides must be both, query or document, got left/);
    for (const e of [both, query, copy]) e.dispose();
  });

  it('reports a missing or foreign model directory clearly', async () => {
    await expect(loadEncoder(path.join(tmp, 'nowhere'))).rejects.toThrow(/no encoder here \(missing encoder\.json/);
    await fsp.mkdir(path.join(tmp, 'bad'), { recursive: true });
    await fsp.writeFile(path.join(tmp, 'bad', 'encoder.json'), JSON.stringify({ format: 'lrat-encoder', kind: 'gpt', weights: [] }));
    await expect(loadEncoder(path.join(tmp, 'bad'))).rejects.toThrow(/field "kind" must be one of "use-adapter", "bow", "use", "transformer", got "gpt"/);
  });
});
