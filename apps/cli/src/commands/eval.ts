import type { Argv, CommandModule } from 'yargs';
import { evaluateRun, parseMetrics, readQrels, readTrecRun, type EvalResult } from '@lrat/indexer';

// `lrat eval`: trec_eval-compatible metrics of a TREC run against qrels.
export interface EvalArgs {
  run: string;
  qrels: string;
  metrics: string;
  perQuery: boolean;
  json: boolean;
  complete: boolean;
  relevanceLevel: number;
}

/** trec_eval-like lines: "metric<TAB>qid|all<TAB>value". */
export function formatEval(r: EvalResult, perQuery: boolean): string {
  const width = Math.max(...r.metrics.map((m) => m.label.length));
  const lines: string[] = [];
  if (perQuery) {
    for (const [qid, values] of r.perQuery) for (const m of r.metrics) lines.push(`${m.label.padEnd(width)}\t${qid}\t${values[m.label].toFixed(4)}`);
  }
  for (const m of r.metrics) lines.push(`${m.label.padEnd(width)}\tall\t${r.mean[m.label].toFixed(4)}`);
  lines.push(`${'queries'.padEnd(width)}\tall\t${r.queries}`);
  return `${lines.join('\n')}\n`;
}

export async function runEval(a: EvalArgs, write: (t: string) => void = (t) => process.stdout.write(t)): Promise<EvalResult> {
  const metrics = parseMetrics(a.metrics);
  const [run, qrels] = await Promise.all([readTrecRun(a.run), readQrels(a.qrels)]);
  const result = evaluateRun(run, qrels, metrics, { complete: a.complete, relevanceLevel: a.relevanceLevel });
  if (result.queries === 0) throw new Error(`no query of ${a.run} has judgements in ${a.qrels}: check that the query ids match`);
  if (a.json) {
    write(`${JSON.stringify({ run: a.run, qrels: a.qrels, queries: result.queries, mean: result.mean, ...(a.perQuery ? { perQuery: Object.fromEntries(result.perQuery) } : {}) })}\n`);
  } else {
    write(formatEval(result, a.perQuery));
  }
  return result;
}

export const evalCommand: CommandModule<object, EvalArgs> = {
  command: 'eval',
  describe: 'Evaluate a TREC run against qrels (nDCG, recall, MRR, MAP, P@k with trec_eval semantics)',
  builder: (y: Argv<object>) =>
    y
      .option('run', { type: 'string', demandOption: true, describe: 'TREC run file (qid Q0 docid rank score tag)' })
      .option('qrels', { type: 'string', demandOption: true, describe: 'Qrels: TREC (qid 0 docid rel) or BEIR TSV (query-id corpus-id score)' })
      .option('metrics', { alias: 'm', type: 'string', default: 'ndcg@10,recall@100,mrr@10,map', describe: 'Comma-separated: ndcg@k, recall@k, mrr@k, map, map@k, p@k' })
      .option('per-query', { type: 'boolean', default: false, describe: 'Also print each query\'s values' })
      .option('json', { type: 'boolean', default: false, describe: 'JSON on stdout' })
      .option('complete', { type: 'boolean', default: false, describe: 'Like trec_eval -c: judged queries missing from the run count as 0' })
      .option('relevance-level', { type: 'number', default: 1, describe: 'Minimum judgement that counts as relevant (binary metrics)' })
      .example('$0 eval --run runs/bm25.trec --qrels data/scifact/qrels/test.tsv --metrics ndcg@10,recall@100', 'Mean nDCG@10 and Recall@100') as unknown as Argv<EvalArgs>,
  handler: async (a) => {
    await runEval(a);
  },
};
