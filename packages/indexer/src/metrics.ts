// IR metrics with trec_eval semantics (the values pytrec_eval and BEIR report):
// - a run is re-sorted by score descending, ties broken by doc id in *descending* string order
//   (trec_eval's comp_sim_docno); the rank column of a run file is ignored;
// - a doc is relevant when its judgement is ≥ relevanceLevel (default 1); unjudged docs are not relevant;
// - nDCG uses the judgement itself as the gain (linear gain, negative judgements count 0) and the
//   discount log2(rank + 1); the ideal ranking is the qrels sorted by gain;
// - queries in the run but not in the qrels are ignored; queries in the qrels without any relevant
//   doc score 0 on every metric; queries in the qrels but missing from the run are left out of the
//   mean unless `complete` (trec_eval -c), which counts them as 0.
import type { Qrels } from '@lrat/core';
import type { Run, RunEntry } from './trec';

export type MetricName = 'ndcg' | 'recall' | 'mrr' | 'map' | 'p';

export interface MetricSpec {
  name: MetricName;
  /** Cut-off; undefined = the whole ranking (allowed for ndcg, recall, mrr, map). */
  k?: number;
  /** Canonical label, e.g. "ndcg@10", "map". */
  label: string;
}

const ALIASES: Record<string, MetricName> = {
  ndcg: 'ndcg', ndcg_cut: 'ndcg', recall: 'recall', r: 'recall', mrr: 'mrr', recip_rank: 'mrr', rr: 'mrr',
  map: 'map', map_cut: 'map', p: 'p', precision: 'p',
};

/** Parses "ndcg@10,recall@100,mrr@10,map,p@5" (also trec_eval's "ndcg_cut.10", "P.5"). */
export function parseMetrics(spec: string): MetricSpec[] {
  const out: MetricSpec[] = [];
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z_]+)(?:[@.](\d+))?$/i.exec(raw);
    const name = m ? ALIASES[m[1].toLowerCase()] : undefined;
    if (!m || !name) {
      throw new Error(`unknown metric "${raw}": use ndcg@k, recall@k, mrr@k, map, map@k or p@k (comma separated)`);
    }
    const k = m[2] === undefined ? undefined : Number(m[2]);
    if (k !== undefined && k < 1) throw new Error(`metric "${raw}": the cut-off must be ≥ 1`);
    if (name === 'p' && k === undefined) throw new Error(`metric "${raw}": precision needs a cut-off, e.g. p@10`);
    out.push({ name, k, label: k === undefined ? name : `${name}@${k}` });
  }
  if (out.length === 0) throw new Error('no metrics given');
  return out;
}

/**
 * trec_eval's name for a metric (`-m` syntax), or how it relates to one: mrr@k is trec_eval's
 * recip_rank cut at rank k, and trec_eval has no cut-off for recip_rank (`mrr` is recip_rank itself).
 */
export function trecEvalName(m: MetricSpec): string {
  switch (m.name) {
    case 'ndcg':
      return m.k === undefined ? 'ndcg' : `ndcg_cut.${m.k}`;
    case 'recall':
      return m.k === undefined ? 'recall (all retrieved)' : `recall.${m.k}`;
    case 'map':
      return m.k === undefined ? 'map' : `map_cut.${m.k}`;
    case 'p':
      return `P.${m.k}`;
    case 'mrr':
      return m.k === undefined ? 'recip_rank' : `recip_rank cut at rank ${m.k} (trec_eval's recip_rank has no cut-off: ask for mrr)`;
  }
}

/** trec_eval's ordering: score descending, then doc id descending. */
export function trecEvalOrder(entries: readonly RunEntry[]): RunEntry[] {
  return [...entries].sort((a, b) => (b.score - a.score) || (a.docid < b.docid ? 1 : a.docid > b.docid ? -1 : 0));
}

export interface EvalOptions {
  relevanceLevel?: number;
  /** trec_eval -c: queries in the qrels but not in the run count as 0 in the mean. */
  complete?: boolean;
}

export interface EvalResult {
  metrics: MetricSpec[];
  /** Query id → metric label → value, for every evaluated query. */
  perQuery: Map<string, Record<string, number>>;
  /** Metric label → mean over the evaluated queries (0 when there are none). */
  mean: Record<string, number>;
  /** Number of queries in the mean. */
  queries: number;
}

/** The value of each metric for one query, given its ranking in trec_eval order. */
export function evaluateQuery(ranking: readonly RunEntry[], judged: ReadonlyMap<string, number>, metrics: readonly MetricSpec[], relevanceLevel = 1): Record<string, number> {
  let numRel = 0;
  const idealGains: number[] = [];
  for (const rel of judged.values()) {
    if (rel >= relevanceLevel) numRel++;
    if (rel > 0) idealGains.push(rel);
  }
  idealGains.sort((a, b) => b - a);
  const out: Record<string, number> = {};
  for (const m of metrics) out[m.label] = metricValue(m, ranking, judged, numRel, idealGains, relevanceLevel);
  return out;
}

function metricValue(m: MetricSpec, ranking: readonly RunEntry[], judged: ReadonlyMap<string, number>, numRel: number, idealGains: number[], level: number): number {
  const depth = m.k === undefined ? ranking.length : Math.min(m.k, ranking.length);
  switch (m.name) {
    case 'ndcg': {
      let dcg = 0;
      for (let i = 0; i < depth; i++) {
        const g = judged.get(ranking[i].docid) ?? 0;
        if (g > 0) dcg += g / Math.log2(i + 2);
      }
      let idcg = 0;
      const idealDepth = m.k === undefined ? idealGains.length : Math.min(m.k, idealGains.length);
      for (let i = 0; i < idealDepth; i++) idcg += idealGains[i] / Math.log2(i + 2);
      return idcg > 0 ? dcg / idcg : 0;
    }
    case 'recall': {
      if (numRel === 0) return 0;
      let hits = 0;
      for (let i = 0; i < depth; i++) if ((judged.get(ranking[i].docid) ?? 0) >= level) hits++;
      return hits / numRel;
    }
    case 'p': {
      let hits = 0;
      for (let i = 0; i < depth; i++) if ((judged.get(ranking[i].docid) ?? 0) >= level) hits++;
      // trec_eval divides by the cut-off even when fewer documents were retrieved.
      return hits / (m.k ?? depth);
    }
    case 'mrr': {
      for (let i = 0; i < depth; i++) if ((judged.get(ranking[i].docid) ?? 0) >= level) return 1 / (i + 1);
      return 0;
    }
    case 'map': {
      if (numRel === 0) return 0;
      let hits = 0;
      let sum = 0;
      for (let i = 0; i < depth; i++) {
        if ((judged.get(ranking[i].docid) ?? 0) >= level) {
          hits++;
          sum += hits / (i + 1);
        }
      }
      return sum / numRel;
    }
  }
}

/** Evaluates a run against qrels: per-query values and their means, with trec_eval semantics. */
export function evaluateRun(run: Run, qrels: Qrels, metrics: readonly MetricSpec[], options: EvalOptions = {}): EvalResult {
  const level = options.relevanceLevel ?? 1;
  const perQuery = new Map<string, Record<string, number>>();
  const qids = [...qrels.keys()].filter((q) => run.has(q) || options.complete);
  qids.sort();
  for (const qid of qids) {
    const ranking = trecEvalOrder(run.get(qid) ?? []);
    perQuery.set(qid, evaluateQuery(ranking, qrels.get(qid) ?? new Map(), metrics, level));
  }
  const mean: Record<string, number> = {};
  for (const m of metrics) {
    let s = 0;
    for (const v of perQuery.values()) s += v[m.label];
    mean[m.label] = perQuery.size ? s / perQuery.size : 0;
  }
  return { metrics: [...metrics], perQuery, mean, queries: perQuery.size };
}
