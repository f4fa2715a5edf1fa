import * as fs from 'fs';
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select-backend';
import { train } from '../train';
import { MULTIHOP_DIR } from '../testing/multihop-pairs';
import { syntheticPairs } from '../testing/synthetic-pairs';
import { UseLiteModel } from '../use/use-model';
import { loadEncoder } from '.';
import { parseTrainLayers, UseEncoder } from './use';
import { UseAdapterEncoder } from './use-adapter';

// USE-lite rebuilt from its tensors must give the frozen graph model's vectors, train every tensor,
// and survive save → load unchanged.

let tmp: string;
let encoder: UseEncoder;
// ≈ 60 s for the whole file on an idle 2-core machine; generous so a shared machine does not fail it.
jest.setTimeout(600_000);

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-use-'));
  encoder = await UseEncoder.create();
});
afterAll(async () => {
  encoder.dispose();
  await fsp.rm(tmp, { recursive: true, force: true });
});

/** ≥ 100 texts: paragraphs (many past the 128-token clip), questions, and awkward strings. */
function parityTexts(): string[] {
  const lines = fs.readFileSync(path.join(MULTIHOP_DIR, 'corpus.jsonl'), 'utf8').split('\n');
  const paragraphs = lines.slice(0, 60).map((l) => {
    const d = JSON.parse(l) as { title: string; text: string };
    return `${d.title} ${d.text}`;
  });
  const questions = fs
    .readFileSync(path.join(MULTIHOP_DIR, 'queries.jsonl'), 'utf8')
    .split('\n')
    .slice(0, 30)
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const odd = [
    '',
    ' ',
    'a',
    '.',
    'ünïcödé ✓ naïve café',
    '日本語のテキストと中文文本',
    'مرحبا بالعالم — שלום עולם',
    'emoji 😀🎉👩‍👩‍👧 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math',
    'zero\u200bwidth\u200djoiner and combining e\u0301',
    'tabs\tand\nnewlines\r\n',
    'ＦＵＬＬＷＩＤＴＨ ｋａｔａｋａｎａ ｶﾀｶﾅ',
    'word '.repeat(400),
    paragraphs[0].repeat(3),
    '',
    'Ⅻ ﬁ ½ ² ㎏',
  ];
  return [...odd.slice(0, 8), ...paragraphs, ...odd.slice(8), ...questions];
}

describe('use encoder (USE-lite rebuilt from its own tensors)', () => {
  it('gives the frozen graph model’s vectors within 1e-5 on 105 texts of mixed lengths', async () => {
    const texts = parityTexts();
    expect(texts.length).toBeGreaterThanOrEqual(100);
    const frozen = await UseLiteModel.load();
    // The graph sizes its batch by the largest row index present, so a batch may not end with an
    // empty text; batches of 7 in this order never do.
    const ref = new Float32Array(texts.length * 512);
    for (let i = 0; i < texts.length; i += 7) {
      const chunk = texts.slice(i, i + 7);
      expect(chunk[chunk.length - 1]).not.toBe('');
      ref.set(await frozen.embed(chunk), i * 512);
    }
    frozen.dispose();
    const got = await encoder.embedDocuments(texts);
    let max = 0;
    for (let i = 0; i < ref.length; i++) max = Math.max(max, Math.abs(ref[i] - got[i]));
    expect(max).toBeLessThanOrEqual(1e-5);
    // Some of them are clipped by the graph: the parity covers ClipToMaxLength.
    expect(texts.filter((t) => encoder.tokenize(t, 'document').length === 128).length).toBeGreaterThan(10);
  });

  it('embeds a text in a padded batch of mixed lengths as it does alone', async () => {
    // More texts than one length bucket (4 rows), in no length order: prepare sorts them into
    // buckets and forward must hand every row back in the caller's order.
    const all = parityTexts();
    const texts = ['short', all[20], '', 'a somewhat longer sentence about railway stations in Europe', all[3], 'x', all[70], all[40], 'two words', all[90], all[10], 'red'];
    const batch = await encoder.prepare(texts, 'document');
    const together = encoder.forward(batch, 'document');
    const rows = (await together.data()) as Float32Array;
    together.dispose();
    batch.dispose();
    for (let i = 0; i < texts.length; i++) {
      const alone = await encoder.embedDocuments([texts[i]]);
      let max = 0;
      for (let j = 0; j < 512; j++) max = Math.max(max, Math.abs(alone[j] - rows[i * 512 + j]));
      expect(max).toBeLessThanOrEqual(1e-6);
    }
  });

  it('back-propagates a batch of length buckets as the sum of its texts taken alone', async () => {
    // The buckets share every weight product (their token rows stacked flat): a mix-up of rows
    // between buckets, or of the split back, shows here as a gradient that differs from the texts'.
    const all = parityTexts();
    const texts = ['short', all[20], 'a somewhat longer sentence about railway stations in Europe', all[3], 'x', all[70], 'two words', all[90], 'red'];
    const direction = Float32Array.from({ length: texts.length * 512 }, (_, i) => Math.cos(i * 7.31) * 0.5);
    const vars = encoder.weights().map((v) => v.variable);
    const gradsOf = async (rows: string[], from: number): Promise<tf.Tensor[]> => {
      const batch = await encoder.prepare(rows, 'document');
      const r = tf.tensor2d(direction.subarray(from * 512, (from + rows.length) * 512), [rows.length, 512]);
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(encoder.forward(batch, 'document'), r)) as tf.Scalar, vars);
      const buckets = (batch as unknown as { buckets: unknown[] }).buckets.length;
      value.dispose();
      r.dispose();
      batch.dispose();
      if (rows.length > 1) expect(buckets).toBeGreaterThan(1);
      return vars.map((v) => grads[v.name]);
    };
    const together = await gradsOf(texts, 0);
    const alone = await Promise.all(texts.map((t, i) => gradsOf([t], i)));
    vars.forEach((v, k) => {
      const sum = tf.addN(alone.map((g) => g[k]));
      const scale = tf.max(tf.abs(sum)).dataSync()[0];
      const diff = tf.max(tf.abs(tf.sub(sum, together[k]))).dataSync()[0];
      expect({ name: v.name, close: diff <= 1e-4 * Math.max(scale, 1e-3) + 1e-7 }).toEqual({ name: v.name, close: true });
      sum.dispose();
    });
    for (const g of [together, ...alone].flat()) g.dispose();
  });

  it('applies the query prefix and the per-side max lengths', async () => {
    const e = await UseEncoder.create({ queryPrefix: 'query: ', passageMaxLength: 16, queryMaxLength: 8 });
    try {
      const long = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen';
      expect(e.tokenize(long, 'document')).toHaveLength(16);
      expect(e.tokenize(long, 'query')).toHaveLength(8);
      const [q] = [await e.embedQueries(['cats'])];
      const [d] = [await e.embedDocuments(['query: cats'])];
      expect(Array.from(q)).toEqual(Array.from(d));
      expect(e.config()).toMatchObject({ queryPrefix: 'query: ', passageMaxLength: 16, queryMaxLength: 8, trainLayers: 'all' });
    } finally {
      e.dispose();
    }
    await expect(UseEncoder.create({ passageMaxLength: 129 })).rejects.toThrow(/passageMaxLength must be an integer from 1 to 128/);
  });

  it('back-propagates into every tensor, matching finite differences', async () => {
    const e = await UseEncoder.create();
    try {
      const texts = ['volcanic eruptions and lava', 'a violin concerto', ''];
      const batch = await e.prepare(texts, 'document');
      const direction = tf.tensor2d(Float32Array.from({ length: 3 * 512 }, (_, i) => Math.sin(i * 12.9898) * 0.5), [3, 512]);
      const loss = () => tf.sum(tf.mul(e.forward(batch, 'document'), direction)) as tf.Scalar;
      const vars = e.weights();
      const { grads } = tf.variableGrads(loss, vars.map((v) => v.variable));
      for (const { name, variable } of vars) {
        const g = grads[variable.name];
        expect({ name, flows: g !== undefined && tf.norm(g).dataSync()[0] > 0 }).toEqual({ name, flows: true });
      }
      // Central differences on the scalar of largest gradient in a few tensors (float32: a step
      // large enough to see the change, small enough to stay linear).
      const probes = ['pooler/bias', 'layer_1/ffn/conv2/kernel', 'layer_1/attention/key/kernel', 'layer_0/attention/query/kernel', 'layer_0/attention/layer_norm/scale', 'layer_0/residual/kernel', 'embeddings'].map((name): [string, number] => {
        const g = grads[(vars.find((x) => x.name === name) as { variable: tf.Variable }).variable.name].dataSync();
        let best = 0;
        for (let i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[best])) best = i;
        return [name, best];
      });
      for (const [name, index] of probes) {
        const v = vars.find((x) => x.name === name)?.variable as tf.Variable;
        const analytic = grads[v.name].dataSync()[index];
        const original = v.dataSync().slice() as Float32Array;
        const at = (delta: number) => {
          const values = original.slice();
          values[index] += delta;
          v.assign(tf.tensor(values, v.shape));
          const y = tf.tidy(() => loss().dataSync()[0]);
          return y;
        };
        const h = 1e-2 * Math.max(1, Math.abs(original[index]));
        const numeric = (at(h) - at(-h)) / (2 * h);
        v.assign(tf.tensor(original, v.shape));
        expect({ name, close: Math.abs(numeric - analytic) <= 0.03 * Math.abs(analytic) + 2e-4 }).toEqual({ name, close: true });
      }
      for (const g of Object.values(grads)) g.dispose();
      direction.dispose();
      batch.dispose();
    } finally {
      e.dispose();
    }
  });

  it('trains only the top N layers and the pooler with trainLayers: N', async () => {
    const e = await UseEncoder.create({ trainLayers: 1 });
    try {
      const names = e.trainableWeights().map((w) => w.name);
      expect(names.some((n) => n.startsWith('layer_1/'))).toBe(true);
      expect(names).toContain('pooler/kernel');
      expect(names.some((n) => n.startsWith('layer_0/') || n === 'embeddings')).toBe(false);
      expect(e.weights().length).toBeGreaterThan(names.length);
    } finally {
      e.dispose();
    }
    expect(parseTrainLayers('all')).toBe('all');
    expect(parseTrainLayers('2')).toBe(2);
    expect(() => parseTrainLayers('-1')).toThrow(/--train-layers must be "all" or a non-negative integer/);
  });

  it('lowers the loss in a short train() run, and saves a model that loads to identical embeddings', async () => {
    const out = path.join(tmp, 'trained');
    const e = await UseEncoder.create({ passageMaxLength: 16, queryMaxLength: 8 });
    const probe = ['alpha and bravo facts', 'hotel papa'];
    try {
      const before = await e.embedDocuments(probe);
      const res = await train({ pairs: syntheticPairs(16, 4), encoder: e, outDir: out, epochs: 3, batchSize: 4, groupSize: 3, lr: 1e-4, seed: 3 });
      expect(res.steps).toBe(12);
      expect(res.lastLoss as number).toBeLessThan(res.firstLoss as number);
      const after = await e.embedDocuments(probe);
      expect(Array.from(after)).not.toEqual(Array.from(before));
      const loaded = await loadEncoder(out);
      try {
        expect(loaded.kind).toBe('use');
        expect(loaded.version).toBe(e.version);
        expect(Array.from(await loaded.embedDocuments(probe))).toEqual(Array.from(after));
        expect(Array.from(await loaded.embedQueries(probe))).toEqual(Array.from(await e.embedQueries(probe)));
      } finally {
        loaded.dispose();
      }
    } finally {
      e.dispose();
    }
  });

  it('trains a default batch of 32 queries × 10 long passages inside the 4 GB wasm heap: gradient caching turns itself on', async () => {
    // One tape over 320 passages of 128 tokens needs ≈ 12 GB; before micro-batches were chosen by
    // default this step died with "memory access out of bounds".
    const lines = fs.readFileSync(path.join(MULTIHOP_DIR, 'corpus.jsonl'), 'utf8').split('\n').slice(0, 700);
    const passages = lines.map((l) => {
      const d = JSON.parse(l) as { title: string; text: string };
      return `${d.title} ${d.text}`;
    });
    const long = (i: number) => `${passages[2 * i]} ${passages[2 * i + 1]}`;
    const pairs = Array.from({ length: 32 }, (_, q) => ({ query: `question ${q} about ${passages[20 * q].slice(0, 40)}`, pos: [long(10 * q)], neg: Array.from({ length: 9 }, (_, j) => long(10 * q + j + 1)), reweight_rate: 1 }));
    const e = await UseEncoder.create();
    try {
      const tokens = e.tapeBytes(pairs.map((p) => p.pos[0]), 'document');
      expect(Math.min(...tokens)).toBeGreaterThan(0);
      expect(e.tapeBytes(['a b', 'a b c d e f g h'], 'query')[1]).toBeGreaterThan(e.tapeBytes(['a b'], 'query')[0]);
      const res = await train({ pairs, encoder: e, outDir: path.join(tmp, 'full-batch'), epochs: 1, batchSize: 32, groupSize: 10, lr: 1e-5, seed: 1 });
      expect(res.steps).toBe(1);
      expect(Number.isFinite(res.lastLoss)).toBe(true);
      const { microBatch } = res.metrics[0] as { microBatch?: { query: number; passage: number } };
      expect(microBatch?.query).toBe(0);
      expect(microBatch?.passage).toBeGreaterThan(0);
      expect(microBatch?.passage).toBeLessThan(320);
    } finally {
      e.dispose();
    }
  });

  describe('trainSides: query (the query tower trains against frozen document vectors)', () => {
    const probe = ['alpha and bravo facts', 'hotel papa report', 'a violin concerto'];
    const pairs = syntheticPairs(16, 4);
    const opts = { pairs, epochs: 2, batchSize: 4, groupSize: 3, lr: 1e-4, seed: 3 };
    const make = () => UseEncoder.create({ trainSides: 'query', cacheDir: path.join(tmp, 'cache'), passageMaxLength: 16, queryMaxLength: 8 });

    it('embeds documents as the frozen graph model does, trains only the query tower, and reloads as it was saved', async () => {
      const graph = await UseAdapterEncoder.create({ cacheDir: path.join(tmp, 'cache'), embedWorkers: 1 });
      const e = await make();
      const out = path.join(tmp, 'query-side');
      try {
        const graphDocs = Array.from(await graph.embedDocuments(probe));
        expect(Array.from(await e.embedDocuments(probe))).toEqual(graphDocs);
        expect(e.trainsSide('document')).toBe(false);
        expect(e.trainsSide('query')).toBe(true);
        expect(e.tapeBytes(probe, 'document')).toEqual([0, 0, 0]);
        expect(e.config()).toMatchObject({ trainSides: 'query', trainLayers: 'all' });
        // Untrained, the query tower is the rebuilt model: the graph's query vectors within 1e-5.
        const q0 = await e.embedQueries(probe);
        const gq = await graph.embedQueries(probe);
        expect(Math.max(...Array.from(q0, (v, i) => Math.abs(v - gq[i])))).toBeLessThanOrEqual(1e-5);

        const res = await train({ ...opts, encoder: e, outDir: out });
        expect(res.lastLoss as number).toBeLessThan(res.firstLoss as number);
        // Documents never move (an index built with the base model stays valid); queries do.
        expect(Array.from(await e.embedDocuments(probe))).toEqual(graphDocs);
        const q1 = await e.embedQueries(probe);
        expect(Array.from(q1)).not.toEqual(Array.from(q0));

        const loaded = await loadEncoder(out, { cacheDir: path.join(tmp, 'cache') });
        try {
          expect(loaded.kind).toBe('use');
          expect(loaded.version).toBe(e.version);
          expect(loaded.config()).toMatchObject({ trainSides: 'query' });
          expect(Array.from(await loaded.embedQueries(probe))).toEqual(Array.from(q1));
          expect(Array.from(await loaded.embedDocuments(probe))).toEqual(graphDocs);
        } finally {
          loaded.dispose();
        }
      } finally {
        e.dispose();
        graph.dispose();
      }
      // The one-tower default keeps its version: trainSides is recorded only when not `both`.
      expect(encoder.config()).not.toHaveProperty('trainSides');
      await expect(UseEncoder.create({ trainSides: 'document' })).rejects.toThrow(/trainSides must be both or query, got "document"/);
    });

    it('gives the one-tape trajectory with gradient caching and on 2 worker threads (the document side has no backward pass)', async () => {
      const run = async (name: string, extra: Record<string, unknown>) => {
        const e = await make();
        try {
          const res = await train({ ...opts, ...extra, encoder: e, outDir: path.join(tmp, name) });
          return res.metrics.filter((m) => m.type === 'train');
        } finally {
          e.dispose();
        }
      };
      const plain = await run('q-plain', {});
      const cached = await run('q-cached', { microBatch: { query: 2, passage: 5 } });
      const parallel = await run('q-workers', { workers: 2 });
      expect(plain).toHaveLength(8);
      for (const other of [cached, parallel]) {
        expect(other).toHaveLength(plain.length);
        other.forEach((m, i) => {
          expect(Math.abs((m.loss as number) - (plain[i].loss as number))).toBeLessThan(1e-4);
          expect(Math.abs((m.gradNorm as number) - (plain[i].gradNorm as number))).toBeLessThan(1e-3 * (plain[i].gradNorm as number));
        });
      }
      expect(plain[7].loss as number).not.toBeCloseTo(plain[0].loss as number, 3);
    });
  });

  it('resumes from a checkpoint to exactly the parameters of an uninterrupted run', async () => {
    // In process (the kill -9 path itself is covered with the tiny encoder in train.spec.ts): a run
    // stopped at its step-4 checkpoint and resumed must end byte-identical to a straight 6-step run.
    const opts = { pairs: syntheticPairs(24, 11), epochs: 2, batchSize: 8, groupSize: 3, lr: 1e-4, seed: 5, checkpointEvery: 2 };
    const make = () => UseEncoder.create({ passageMaxLength: 16, queryMaxLength: 8 });
    const straight = path.join(tmp, 'straight');
    const resumed = path.join(tmp, 'resumed');
    const a = await make();
    await train({ ...opts, encoder: a, outDir: straight });
    a.dispose();
    const b = await make();
    await train({ ...opts, encoder: b, outDir: resumed, maxSteps: 4 });
    b.dispose();
    const c = await make();
    const res = await train({ ...opts, encoder: c, outDir: resumed, resume: true });
    c.dispose();
    expect(res.steps).toBe(6);
    const wa = await fsp.readFile(path.join(straight, 'last', 'weights.bin'));
    const wb = await fsp.readFile(path.join(resumed, 'last', 'weights.bin'));
    expect(wb.length).toBeGreaterThan(25e6);
    expect(wb.equals(wa)).toBe(true);
  });
});
