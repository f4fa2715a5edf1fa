import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { runEval, type EvalArgs } from './eval';

// The output says how the mean was taken (and what trec_eval would need) and gives each metric's
// trec_eval name; --complete is trec_eval -c.

const tmp = mkdtempSync(path.join(tmpdir(), 'lrat-cli-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const qrels = path.join(tmp, 'qrels.tsv');
const run = path.join(tmp, 'run.trec');
// q1: relevant doc at rank 2 (RR 0.5); q2: relevant doc at rank 12 (RR 1/12, mrr@10 0); q3 judged, absent from the run.
writeFileSync(qrels, 'query-id\tcorpus-id\tscore\nq1\ta\t1\nq2\tb\t1\nq3\tc\t1\n');
writeFileSync(
  run,
  ['q1 Q0 x 1 2.0 t', 'q1 Q0 a 2 1.0 t', ...Array.from({ length: 12 }, (_, i) => `q2 Q0 ${i === 11 ? 'b' : `n${i}`} ${i + 1} ${20 - i}.0 t`)].join('\n') + '\n',
);

const args = (over: Partial<EvalArgs>): EvalArgs => ({ run, qrels, metrics: 'mrr@10,mrr,ndcg_cut.10', perQuery: false, json: false, complete: false, relevanceLevel: 1, ...over });

describe('lrat eval against trec_eval', () => {
  it('averages over the covered queries by default and says what trec_eval would need', async () => {
    let out = '';
    const r = await runEval(args({}), (t) => (out += t));
    expect(r.queries).toBe(2);
    expect(r.mean['mrr@10']).toBeCloseTo(0.25, 12);
    expect(r.mean.mrr).toBeCloseTo((0.5 + 1 / 12) / 2, 12);
    expect(out).toContain('# mean over the 2 judged queries the run covers; 1 judged queries are missing from the run (trec_eval 10 stops with an error here unless -c; --complete counts them as 0)');
    expect(out).toContain("# mrr@10 = trec_eval recip_rank cut at rank 10 (trec_eval's recip_rank has no cut-off: ask for mrr)");
    expect(out).toContain('# mrr = trec_eval recip_rank');
    expect(out).toContain('# ndcg@10 = trec_eval ndcg_cut.10');
  });

  it('--complete counts the missing judged queries as 0, like trec_eval -c, and names itself', async () => {
    let out = '';
    const r = await runEval(args({ complete: true }), (t) => (out += t));
    expect(r.queries).toBe(3);
    expect(r.mean.mrr).toBeCloseTo((0.5 + 1 / 12) / 3, 12);
    expect(out).toContain('# --complete (trec_eval -c): mean over all 3 judged queries; 1 missing from the run count as 0');
    let json = '';
    await runEval(args({ complete: true, json: true }), (t) => (json += t));
    expect(JSON.parse(json)).toMatchObject({ queries: 3, complete: true, missingFromRun: 1, trecEval: { mrr: 'recip_rank', 'ndcg@10': 'ndcg_cut.10' } });
  });
});
