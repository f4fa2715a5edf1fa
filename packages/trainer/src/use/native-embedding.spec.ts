import { probeBlas } from '../backend/native-inference';
import { selectBackend } from '../backend/select-backend';
import { UseEncoder } from '../encoders/use';
import { UseLiteModel, USE_DIM } from './use-model';
import { jsBlas } from '../testing/js-blas';
import { multihopPassages } from '../testing/multihop-pairs';

// Embeddings outside training on the native BLAS: a text's vector must be bit for bit the same
// whatever batch it is embedded in (neighbours, size, position, the batch's padded length), and
// within float rounding of XNNPACK's.

const bits = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex');
const row = (x: Float32Array, i: number) => x.subarray(i * USE_DIM, (i + 1) * USE_DIM);

function worstGap(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Each text's vector from `embed` over several batch compositions equals its vector alone. */
async function expectBatchFree(texts: string[], embed: (batch: string[]) => Promise<Float32Array>): Promise<void> {
  const alone = await Promise.all(texts.map(async (t) => bits(await embed([t]))));
  const n = texts.length;
  const compositions = [
    texts.map((_, i) => i),
    texts.map((_, i) => n - 1 - i),
    [2, 0, 2, 5],
    [n - 1, 1],
    [3, 4, 0, 1, 2, 5, 6].filter((i) => i < n),
  ];
  for (const order of compositions) {
    const out = await embed(order.map((i) => texts[i]));
    order.forEach((i, j) => expect(bits(row(out, j))).toBe(alone[i]));
  }
}

describe('native inference embeddings', () => {
  let passages: string[];
  beforeAll(async () => {
    await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
    passages = multihopPassages(12);
  });

  it('gives a document the same vector in any batch (graph model), within 1e-5 of XNNPACK, under its own cache key', async () => {
    const native = await UseLiteModel.load();
    const xnn = await UseLiteModel.load(undefined, null);
    try {
      expect(native.native).not.toBeNull();
      expect(native.embeddingVersion).toBe(`${native.version}+${native.native?.fingerprint}`);
      expect(xnn.embeddingVersion).toBe(`${xnn.version}+xnnpack-by-length`);
      // 43 and 58 tokens (padded to longer neighbours in a mixed batch), past the graph's 128, none.
      const texts = [passages[11], passages[6], passages[0], 'a short one', passages[7], '', 'word '.repeat(300)];
      await expectBatchFree(texts, (batch) => native.embed(batch));
      // XNNPACK alone too (its length buckets), an empty text last in a batch included: the graph's
      // sparse input once dropped it ("USE returned 7680 values for 16 texts").
      await expectBatchFree(texts, (batch) => xnn.embed(batch));
      const emptyLast = await xnn.embed([passages[0], '']);
      expect(emptyLast).toHaveLength(2 * USE_DIM);
      expect(bits(row(emptyLast, 1))).toBe(bits(await xnn.embed([''])));
      expect(worstGap(await native.embed(texts), await xnn.embed(texts))).toBeLessThan(1e-5);
    } finally {
      native.dispose();
      xnn.dispose();
    }
  });

  it('gives a query the same vector in any batch (use tower, native and XNNPACK), within 1e-5 of XNNPACK', async () => {
    const native = await UseEncoder.create();
    process.env.LRAT_NATIVE_BLAS = '0';
    let xnn: UseEncoder;
    try {
      xnn = await UseEncoder.create();
    } finally {
      delete process.env.LRAT_NATIVE_BLAS;
    }
    try {
      const queries = ['who founded the company that makes the iphone', 'capital of france', '', 'a', 'what year did the second world war end in europe and asia', 'how tall is the eiffel tower', passages[3]];
      await expectBatchFree(queries, (batch) => native.embedQueries(batch));
      // Unpadded length buckets keep it so on XNNPACK alone too.
      await expectBatchFree(queries, (batch) => xnn.embedQueries(batch));
      expect(worstGap(await native.embedQueries(queries), await xnn.embedQueries(queries))).toBeLessThan(1e-5);
      expect(worstGap(await native.embedDocuments(passages.slice(0, 4)), await xnn.embedDocuments(passages.slice(0, 4)))).toBeLessThan(1e-5);
    } finally {
      native.dispose();
      xnn.dispose();
    }
  });

  it('falls back to XNNPACK, under the XNNPACK cache key, when the probe refuses the BLAS', async () => {
    // Rows whose bits depend on the product's height: no tile alignment makes them batch-free.
    const byHeight = jsBlas((_row, m, value) => Math.fround(value * (m > 100 ? 1 + 2 ** -23 : 1)));
    const refused = probeBlas(byHeight);
    expect(refused).toBeNull();
    const [fallback, xnn] = await Promise.all([UseLiteModel.load(undefined, refused), UseLiteModel.load(undefined, null)]);
    try {
      expect(fallback.embeddingVersion).toBe(xnn.embeddingVersion);
      expect(bits(await fallback.embed(passages.slice(0, 3)))).toBe(bits(await xnn.embed(passages.slice(0, 3))));
    } finally {
      fallback.dispose();
      xnn.dispose();
    }
  });
});
