import { perQuestionCsv } from '@lrat/evaluation';
import { renderConsoleTable, writeReport, type BenchReport, type ReportFiles } from '@lrat/report';
import { createContext, type JobContext } from './pipeline';
import type { BenchOptions, JobName } from './options';
import type { BenchStack } from './real-stack';
import { runInDomain } from './jobs/in-domain';
import { runOutOfDomain } from './jobs/out-of-domain';
import { runFlywheel } from './jobs/flywheel';
import { runAblation } from './jobs/ablation';
import { queryCacheTotals } from './stack-common';

const JOBS: Record<JobName, (ctx: JobContext) => Promise<BenchReport>> = {
  'in-domain': runInDomain,
  'out-of-domain': runOutOfDomain,
  flywheel: runFlywheel,
  ablation: runAblation,
};

export interface JobOutcome {
  report: BenchReport;
  files: ReportFiles;
  /** The console summary: the main table and the paths. */
  summary: string;
}

/** Runs one job in-process and writes its report; what `main.ts` and the tests call. */
export async function runBenchJob(job: JobName, options: BenchOptions, stack: BenchStack, log?: (line: string) => void): Promise<JobOutcome> {
  const ctx = createContext(job, options, stack, log);
  // This job's share of the process-wide counts (tests run several jobs in one process).
  const before = queryCacheTotals();
  const report = await JOBS[job](ctx);
  const files = await writeReport(ctx.outDir, report, { questionsCsv: perQuestionCsv(ctx.results) });
  const after = queryCacheTotals();
  const q = { encoded: after.encoded - before.encoded, reused: after.reused - before.reused };
  const cache = q.encoded + q.reused > 0 ? `query vectors: ${q.encoded} encoded, ${q.reused} reused from the dense searchers' caches\n` : '';
  return { report, files, summary: `${renderConsoleTable(report)}\n\n${cache}report.json  ${files.json}\nreport.md    ${files.markdown}\nreport.html  ${files.html}\nquestions    ${files.csv}\n${report.notes.map((n) => `note: ${n}`).join('\n')}\n` };
}
