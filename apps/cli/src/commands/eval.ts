import type { Argv, CommandModule } from 'yargs';
import { readQrels } from '@lrat/core';
import { evaluateRun, parseMetrics, readTrecRun, trecEvalName, type EvalResult } from '@lrat/indexer';

// `lrat eval`: trec_eval-compatible metrics of a TREC run against qrels. Two differences from
// trec_eval 10, both stated in the output: without --complete the mean is over the judged queries the
// run covers (trec_eval 10 stops with an error then, unless -c), and mrr@k cuts recip_rank at rank k
// (trec_eval's recip_rank has none; `mrr` is recip_rank itself).
export interface EvalArgs {
  run: string;
  qrels: string;
  metrics: string;
  perQuery: boolean;
  json: boolean;
  complete: boolean;
  relevanceLevel: number;
}

/** How the mean was taken, for the output: which queries, and what trec_eval would need. */
export interface EvalCoverage {
  complete: boolean;
  /** Judged queries (with qrels) that the run does not hold. */
  missingFromRun: number;
}

/** The "# ..." notes after the table: the averaging rule and each metric's trec_eval name. */
export function evalNotes(r: EvalResult, c: EvalCoverage): string[] {
  const notes: string[] = [];
  if (c.complete) {
    notes.push(`# --complete (trec_eval -c): mean over all ${r.queries} judged queries; ${c.missingFromRun} missing from the run count as 0`);
  } else if (c.missingFromRun > 0) {
    notes.push(
      `# mean over the ${r.queries} judged queries the run covers; ${c.missingFromRun} judged queries are missing from the run ` +
        `(trec_eval 10 stops with an error here unless -c; --complete counts them as 0)`,
    );
  } else {
    notes.push(`# mean over the ${r.queries} judged queries; the run covers them all (same with --complete / trec_eval -c)`);
  }
  for (const m of r.metrics) notes.push(`# ${m.label} = trec_eval ${trecEvalName(m)}`);
  return notes;
}

/** trec_eval-like lines: "metric<TAB>qid|all<TAB>value". */
export function formatEval(r: EvalResult, perQuery: boolean, coverage?: EvalCoverage): string {
  const width = Math.max(...r.metrics.map((m) => m.label.length));
  const lines: string[] = [];
  if (perQuery) {
    for (const [qid, values] of r.perQuery) for (const m of r.metrics) lines.push(`${m.label.padEnd(width)}\t${qid}\t${values[m.label].toFixed(4)}`);
  }
  for (const m of r.metrics) lines.push(`${m.label.padEnd(width)}\tall\t${r.mean[m.label].toFixed(4)}`);
  lines.push(`${'queries'.padEnd(width)}\tall\t${r.queries}`);
  if (coverage) lines.push(...evalNotes(r, coverage));
  return `${lines.join('\n')}\n`;
}

export async function runEval(a: EvalArgs, write: (t: string) => void = (t) => process.stdout.write(t)): Promise<EvalResult> {
  const metrics = parseMetrics(a.metrics);
  const [run, qrels] = await Promise.all([readTrecRun(a.run), readQrels(a.qrels)]);
  const result = evaluateRun(run, qrels, metrics, { complete: a.complete, relevanceLevel: a.relevanceLevel });
  if (result.queries === 0) throw new Error(`no query of ${a.run} has judgements in ${a.qrels}: check that the query ids match`);
  let missingFromRun = 0;
  for (const q of qrels.keys()) if (!run.has(q)) missingFromRun++;
  const coverage: EvalCoverage = { complete: a.complete, missingFromRun };
  if (a.json) {
    const trecEval = Object.fromEntries(result.metrics.map((m) => [m.label, trecEvalName(m)]));
    write(
      `${JSON.stringify({ run: a.run, qrels: a.qrels, queries: result.queries, complete: a.complete, missingFromRun, mean: result.mean, trecEval, ...(a.perQuery ? { perQuery: Object.fromEntries(result.perQuery) } : {}) })}\n`,
    );
  } else {
    write(formatEval(result, a.perQuery, coverage));
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
      .option('metrics', {
        alias: 'm',
        type: 'string',
        default: 'ndcg@10,recall@100,mrr@10,map',
        describe: "Comma-separated: ndcg@k, recall@k, mrr@k, mrr (= trec_eval's recip_rank), map, map@k, p@k; trec_eval names (ndcg_cut.10, recip_rank, P.5) work too",
      })
      .option('per-query', { type: 'boolean', default: false, describe: 'Also print each query\'s values' })
      .option('json', { type: 'boolean', default: false, describe: 'JSON on stdout' })
      .option('complete', {
        type: 'boolean',
        default: false,
        describe: 'trec_eval -c: judged queries missing from the run count as 0 (default: the mean is over the judged queries the run covers)',
      })
      .option('relevance-level', { type: 'number', default: 1, describe: 'Minimum judgement that counts as relevant (binary metrics)' })
      .example('$0 eval --run runs/bm25.trec --qrels data/scifact/qrels/test.tsv --metrics ndcg@10,recall@100', 'Mean nDCG@10 and Recall@100')
      .example('$0 eval --run runs/bm25.trec --qrels data/scifact/qrels/test.tsv -m ndcg_cut.10,recip_rank --complete', 'What `trec_eval -c -m ndcg_cut.10 -m recip_rank` prints')
      .epilog(
        'Values equal trec_eval\'s (same tie order, linear-gain nDCG). Two differences, both named in the output: ' +
          'without --complete the mean is over the judged queries the run covers (trec_eval 10 stops with an error when the run misses judged queries, unless -c); ' +
          "mrr@k is recip_rank cut at rank k, which trec_eval does not have (its recip_rank has no cut-off; ask for mrr).",
      ) as unknown as Argv<EvalArgs>,
  handler: async (a) => {
    await runEval(a);
  },
};
