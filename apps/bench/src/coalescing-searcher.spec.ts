import * as tf from '@tensorflow/tfjs';
import { createReaderAgent, createSimulatedAgent, type Agent } from '@lrat/agents';
import { runAgent } from '@lrat/evaluation';
import { createSearchTool } from '@lrat/trajectory';
import type { BasicSearcher as Searcher, Hit } from '@lrat/core';
import { createEncoder, selectBackend } from '@lrat/trainer';
import { coalescingSearcher } from './coalescing-searcher';
import { loadJobData } from './data';
import { defaultOptions } from './options';
import { bm25Searcher, flatDenseSearcher, hybridSearcher } from './stack-common';

jest.setTimeout(600_000);

/** A searcher that records every call; query "qN" returns docs dN, dN+1, … */
function recording(): Searcher & { singles: string[]; batches: Array<{ queries: string[]; k: number }> } {
  const list = (q: string, k: number): Hit[] => Array.from({ length: k }, (_, r) => ({ docid: `d${Number(q.slice(1)) + r}`, score: -r, rank: r + 1 }));
  const s = {
    singles: [] as string[],
    batches: [] as Array<{ queries: string[]; k: number }>,
    async search(q: string, k: number) {
      s.singles.push(q);
      return list(q, k);
    },
    async searchBatch(qs: readonly string[], k: number) {
      s.batches.push({ queries: [...qs], k });
      if (qs.includes('qboom')) throw new Error('index gone');
      return qs.map((q) => list(q, k));
    },
  };
  return s;
}

describe('coalescingSearcher', () => {
  it('answers the searches of one event-loop turn with one searchBatch per depth, each caller its own list', async () => {
    const inner = recording();
    const s = coalescingSearcher(inner);
    const asked = [s.search('q1', 3), s.search('q2', 3), s.search('q7', 2), s.search('q1', 3)];
    const got = await Promise.all(asked);
    expect(inner.singles).toEqual([]);
    expect(inner.batches).toEqual([
      { queries: ['q1', 'q2', 'q1'], k: 3 },
      { queries: ['q7'], k: 2 },
    ]);
    expect(got.map((l) => l.map((h) => h.docid))).toEqual([
      ['d1', 'd2', 'd3'],
      ['d2', 'd3', 'd4'],
      ['d7', 'd8'],
      ['d1', 'd2', 'd3'],
    ]);
    // A later turn is a new batch.
    await s.search('q3', 1);
    expect(inner.batches.at(-1)).toEqual({ queries: ['q3'], k: 1 });
  });

  it('splits a crowd into batches of at most maxBatch, in the order asked', async () => {
    const inner = recording();
    const s = coalescingSearcher(inner, 4);
    await Promise.all(Array.from({ length: 10 }, (_, i) => s.search(`q${i}`, 1)));
    expect(inner.batches.map((b) => b.queries)).toEqual([
      ['q0', 'q1', 'q2', 'q3'],
      ['q4', 'q5', 'q6', 'q7'],
      ['q8', 'q9'],
    ]);
  });

  it('fails every caller of a failing batch and only them', async () => {
    const inner = recording();
    const s = coalescingSearcher(inner, 2);
    const results = await Promise.allSettled([s.search('q1', 1), s.search('qboom', 1), s.search('q2', 1)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'fulfilled']);
    expect((results[0] as PromiseRejectedResult).reason.message).toBe('index gone');
  });

  it('passes a searcher without searchBatch through, and rejects a bad maxBatch', () => {
    const plain = { search: async () => [] as Hit[] };
    expect(coalescingSearcher(plain)).toBe(plain);
    expect(() => coalescingSearcher(recording(), 0)).toThrow(/maxBatch/);
  });
});

// The property the bench relies on: agents answering many questions at once through the coalescing
// searcher walk exactly the trajectories they walk one question at a time through the plain searcher,
// on the real dense stack (USE-lite with a trained-looking adapter, exact FAISS index, BM25 fusion).
describe('coalescingSearcher on the real stack', () => {
  it('gives the same trajectories at concurrency 8 as one question at a time (dense and hybrid)', async () => {
    await selectBackend({ log: () => undefined });
    // The bench's own USE-lite cache (keyed by text and model version): the jobs' tests fill it too.
    const { dataset, cacheDir } = defaultOptions();
    const data = await loadJobData(dataset, { seed: 13, testFraction: 0.2, limit: 12, corpusLimit: 100 });
    const questions = data.test;
    const encoder = await createEncoder('use-adapter', { cacheDir });
    // Random adapter weights, so the query-side forward pass does real arithmetic (an untrained
    // adapter adds exact zeros).
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.05;
    for (const { variable } of encoder.weights()) variable.assign(tf.tensor(Float32Array.from({ length: variable.size }, rand), variable.shape));
    const dense = await flatDenseSearcher(encoder, data.corpus);
    const bm25 = await bm25Searcher(data.corpus);
    const agents: Agent[] = [createReaderAgent(), createSimulatedAgent({ profile: 'careful', documents: data.documents, name: 'oracle:careful' })];
    const trajectories = async (searcher: Searcher, concurrency: number) => {
      const tool = createSearchTool({ searcher, documents: data.documents, indexName: 'x' });
      const out = [];
      for (const agent of agents) out.push((await runAgent({ agent, questions, tool, seed: 13, retriever: 'x', concurrency })).trajectories);
      return JSON.stringify(out);
    };
    for (const plain of [dense, hybridSearcher(bm25, dense, 0.4)]) {
      // Alone first: the query embeddings USE-lite caches are then the ones a lone query gets.
      const alone = await trajectories(plain, 1);
      let calls = 0;
      const counted: Searcher = { search: plain.search.bind(plain), searchBatch: (qs, k) => (calls++, (plain.searchBatch as NonNullable<Searcher['searchBatch']>)(qs, k)) };
      const together = await trajectories(coalescingSearcher(counted), 8);
      expect(together).toEqual(alone);
      const searches = (JSON.parse(alone) as Array<Array<{ steps: Array<{ type: string }> }>>).flat().flatMap((t) => t.steps).filter((s) => s.type === 'search').length;
      // Searches really were answered in batches.
      expect(calls).toBeLessThan(searches / 2);
    }
    encoder.dispose();
  });
});
