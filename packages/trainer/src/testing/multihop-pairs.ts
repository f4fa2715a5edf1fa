import * as fs from 'fs';
import * as path from 'path';
import { Bm25Index } from '@lrat/indexer';
import type { DevSet } from '../dev-eval';
import type { TrainingSample } from '../groups';
import { documentText, loadCorpus, loadQueries, readQrels, type Doc, type Qrels } from '@lrat/core';

export const REPO_ROOT = path.resolve(__dirname, '../../../..');
export const MULTIHOP_DIR = path.join(REPO_ROOT, 'data', 'multihop-wiki');

export interface InDomainSplit {
  pairs: TrainingSample[];
  dev: DevSet;
  docs: Doc[];
}

/**
 * Pairs from in-domain data for tests: training questions (subset rpt-train) with each gold paragraph
 * as a positive and BM25's top non-gold paragraphs as hard negatives, over a small corpus made of
 * the gold paragraphs of the chosen train and dev questions (so a CI run embeds only ~2 × (nTrain +
 * nDev) paragraphs); dev = held-out rpt-dev questions over the same corpus.
 */
export async function multihopSplit(nTrain: number, nDev: number, negatives = 9): Promise<InDomainSplit> {
  const [queries, corpus, qrels] = await Promise.all([
    loadQueries(path.join(MULTIHOP_DIR, 'queries.jsonl')),
    loadCorpus(path.join(MULTIHOP_DIR, 'corpus.jsonl')),
    readQrels(path.join(MULTIHOP_DIR, 'qrels', 'all.tsv')),
  ]);
  const subset = (name: string) => queries.filter((q) => q.extra?.subset === name);
  const train = subset('rpt-train').slice(0, nTrain);
  const dev = subset('rpt-dev').slice(0, nDev);
  const keep = new Set<string>();
  for (const q of [...train, ...dev]) for (const d of qrels.get(q.id)?.keys() ?? []) keep.add(d);
  const docs = corpus.filter((d) => keep.has(d.docid));
  const byId = new Map(docs.map((d) => [d.docid, documentText(d)]));
  const bm25 = Bm25Index.build(docs);
  const pairs: TrainingSample[] = [];
  for (const q of train) {
    const gold = qrels.get(q.id) ?? new Map<string, number>();
    const neg = bm25
      .search(q.text, negatives + gold.size)
      .filter((h) => !gold.has(h.docid))
      .slice(0, negatives)
      .map((h) => byId.get(h.docid) as string);
    for (const d of gold.keys()) pairs.push({ query: q.text, pos: [byId.get(d) as string], neg, reweight_rate: 1 });
  }
  const devQrels: Qrels = new Map(dev.map((q) => [q.id, qrels.get(q.id) ?? new Map()]));
  return {
    pairs,
    docs,
    dev: { queries: dev.map((q) => ({ id: q.id, text: q.text })), docs: docs.map((d) => ({ id: d.docid, text: documentText(d) })), qrels: devQrels },
  };
}

/** The first `n` passages of the multihop-wiki corpus as the index embeds them (documentText). */
export function multihopPassages(n: number): string[] {
  return fs
    .readFileSync(path.join(MULTIHOP_DIR, 'corpus.jsonl'), 'utf8')
    .split('\n')
    .slice(0, n)
    .map((l) => documentText(JSON.parse(l) as { title?: string; text: string }));
}
