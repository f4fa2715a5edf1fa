import yargs from 'yargs';
import * as path from 'path';
import { JOB_NAMES, defaultOptions, parseAgentList, type BenchOptions, type JobName } from './options';

// Flag parsing for `node apps/bench/dist/main.js <job> [flags]`, separate from main.ts so tests can
// check it without running a job.

export interface ParsedCommand {
  job: JobName;
  options: BenchOptions;
}

export function parseBenchArgs(argv: readonly string[], defaults: BenchOptions = defaultOptions()): ParsedCommand {
  const args = yargs([...argv])
    .scriptName('bench')
    .usage('$0 <job> [options]\n\nJobs: in-domain | out-of-domain | flywheel | ablation (offline by default, simulated agents)')
    .option('dataset', { type: 'string', default: defaults.dataset, describe: 'in-domain BEIR folder (corpus.jsonl, queries.jsonl with answer, qrels/*.tsv)' })
    .option('ood-dataset', { type: 'string', default: defaults.oodDataset, describe: 'out-of-domain BEIR folder (out-of-domain job)' })
    .option('agents', { type: 'string', default: defaults.agents.join(','), describe: 'comma list: simulated profiles (careful, greedy, shallow) and/or openai' })
    .option('retriever', { type: 'string', default: defaults.retriever, describe: 'base dense encoder (@lrat/trainer encoder name)' })
    .option('seed', { type: 'number', default: defaults.seed })
    .option('limit', { type: 'number', default: defaults.limit, describe: 'at most N questions per split (0 = all)' })
    .option('test-fraction', { type: 'number', default: defaults.testFraction, describe: 'held-out share of in-domain questions' })
    .option('out', { type: 'string', describe: 'output folder (default results/<run-id>/)' })
    .option('base-url', { type: 'string', describe: 'OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (key from OPENAI_API_KEY)' })
    .option('model', { type: 'string', describe: 'model name at --base-url' })
    .option('judge', { choices: ['rule', 'llm'] as const, default: defaults.judge, describe: 'browse judge while mining (llm needs --base-url and --model)' })
    .option('epochs', { type: 'number', default: defaults.epochs })
    .option('batch-size', { type: 'number', default: defaults.batchSize })
    .option('loops', { type: 'number', default: defaults.loops, describe: 'flywheel loops' })
    .option('concurrency', { type: 'number', default: defaults.concurrency, describe: 'questions in flight per agent' })
    .option('timeout', { type: 'number', default: defaults.timeoutSeconds, describe: 'per-question agent time limit (s)' })
    .option('resamples', { type: 'number', default: defaults.resamples, describe: 'bootstrap resamples' })
    .option('cache-dir', { type: 'string', default: defaults.cacheDir, describe: 'embedding / model cache' })
    .option('corpus-limit', { type: 'number', describe: 'keep N corpus docs + the selected questions\' evidence (smoke runs)' })
    .example('$0 in-domain', 'the default offline study: simulated agents, USE-lite base retriever')
    .example('$0 ablation --limit 50 --out results/ablation-small', 'a quick ablation on 50 questions per split')
    .example('$0 in-domain --agents careful,openai --base-url http://127.0.0.1:8000/v1 --model qwen3-8b', 'a real LLM agent beside a simulated one')
    .strictOptions()
    .help()
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    });
  const a = args.parseSync();
  const job = String(a._[0] ?? '');
  if (!(JOB_NAMES as readonly string[]).includes(job)) throw new Error(`bench: unknown job "${job}"; expected one of ${JOB_NAMES.join(', ')}`);
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new Error(`bench: --${name} must be a positive integer, got ${v}`);
    return v;
  };
  const agents = parseAgentList(a.agents);
  if (agents.length === 0) throw new Error('bench: --agents is empty');
  if (a.judge === 'llm' && !(a['base-url'] && a.model)) throw new Error('bench: --judge llm needs --base-url and --model');
  if (!(a['test-fraction'] > 0 && a['test-fraction'] <= 1)) throw new Error(`bench: --test-fraction must be in (0, 1], got ${a['test-fraction']}`);
  return {
    job: job as JobName,
    options: {
      dataset: path.resolve(a.dataset),
      oodDataset: path.resolve(a['ood-dataset']),
      agents,
      retriever: a.retriever,
      seed: a.seed,
      limit: a.limit === 0 ? undefined : positive('limit', a.limit),
      testFraction: a['test-fraction'],
      out: a.out === undefined ? undefined : path.resolve(a.out),
      baseUrl: a['base-url'],
      model: a.model,
      judge: a.judge,
      epochs: positive('epochs', a.epochs) ?? defaults.epochs,
      batchSize: positive('batch-size', a['batch-size']) ?? defaults.batchSize,
      loops: positive('loops', a.loops) ?? defaults.loops,
      concurrency: positive('concurrency', a.concurrency) ?? defaults.concurrency,
      timeoutSeconds: a.timeout,
      resamples: positive('resamples', a.resamples) ?? defaults.resamples,
      cacheDir: path.resolve(a['cache-dir']),
      corpusLimit: positive('corpus-limit', a['corpus-limit']),
    },
  };
}
