import yargs from 'yargs';
import * as path from 'path';
import { TRAINABLE_SIDES, type EncoderKind } from '@lrat/trainer';
import { DEFAULT_STUDY_EPOCHS, JOB_NAMES, defaultOptions, parseAgentList, studyLearningRate, studyTraining, type BenchOptions, type JobName } from './options';

// Flag parsing for `node apps/bench/dist/main.js <job> [flags]`, separate from main.ts so tests can
// check it without running a job. Strict: exactly one positional (the job), no unknown flags, and
// --help returns the help text instead of letting the job start.

export interface ParsedCommand {
  job: JobName;
  options: BenchOptions;
}

export type ParsedArgs = ParsedCommand | { help: string };

export class BenchUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

const USAGE = `$0 <job> [options]

Jobs: in-domain | out-of-domain | flywheel | ablation (offline by default, simulated agents)

Through Nx, put the job's flags after "--" so Nx does not read them:
  npx nx run bench:in-domain -- --agents reader,openai --base-url URL --model M`;

function buildParser(argv: readonly string[], defaults: BenchOptions) {
  return yargs([...argv])
    .scriptName('bench')
    .usage(USAGE)
    .option('dataset', { type: 'string', default: defaults.dataset, describe: 'in-domain BEIR folder (corpus.jsonl, queries.jsonl with answer, qrels/*.tsv)' })
    .option('ood-dataset', { type: 'string', default: defaults.oodDataset, describe: 'out-of-domain BEIR folder (out-of-domain job)' })
    .option('agents', { type: 'string', default: defaults.agents.join(','), describe: 'comma list: reader (text-only simulated agent), oracle:careful|greedy|shallow (simulated, READS THE QRELS), openai, openai:<model>, replay:<file>' })
    .option('encoder', { type: 'string', default: defaults.encoder, describe: 'dense encoder kind every retriever starts from and trains (@lrat/trainer)' })
    .option('retriever', { type: 'string', describe: 'pretrained retriever folder (e.g. a Hugging Face model folder) used as the base encoder' })
    .option('train-sides', { choices: ['both', 'query', 'document'] as const, describe: 'which sides the trained retrievers train: use query (default: the query tower against frozen document vectors) | both; use-adapter both (its default) | query | document' })
    .option('seed', { type: 'number', default: defaults.seed, describe: 'first seed (split, training, agents)' })
    .option('seeds', { type: 'number', default: defaults.seeds, describe: 'repeat the study with N seeds: seed, seed+1, ... (mean ± sd in the report)' })
    .option('limit', { type: 'number', default: defaults.limit, describe: 'at most N questions per split (0 = all)' })
    .option('test-fraction', { type: 'number', default: defaults.testFraction, describe: 'held-out share of in-domain questions' })
    .option('out', { type: 'string', describe: 'output folder (default results/<run-id>/)' })
    .option('base-url', { type: 'string', describe: 'OpenAI-compatible endpoint of openai agents, e.g. http://127.0.0.1:8000/v1 (key from OPENAI_API_KEY)' })
    .option('model', { type: 'string', describe: 'agent model name at --base-url' })
    .option('judge', { choices: ['rule', 'llm'] as const, default: defaults.judge, describe: 'browse judge while mining (llm needs --judge-base-url and --judge-model)' })
    .option('answer-judge', { choices: ['em', 'f1', 'llm'] as const, default: defaults.answerJudge, describe: 'success = exact match | token F1 ≥ 0.5 | LLM verdict (EM and F1 always reported)' })
    .option('judge-base-url', { type: 'string', describe: 'endpoint of the LLM judges (answer and mining); key from OPENAI_API_KEY' })
    .option('judge-model', { type: 'string', describe: 'model of the LLM judges' })
    .option('epochs', { type: 'number', describe: `epochs of the trained retrievers (default: ${studyTraining('use').epochs} for use, ${studyTraining('use-adapter').epochs} for use-adapter, else ${DEFAULT_STUDY_EPOCHS})` })
    .option('batch-size', { type: 'number', default: defaults.batchSize })
    .option('lr', { type: 'number', describe: `learning rate of the trained retrievers (default: ${studyTraining('use').lr} for use, ${studyTraining('use-adapter').lr} for use-adapter, else the trainer's for the encoder kind)` })
    .option('temperature', { type: 'number', describe: `InfoNCE temperature of the trained retrievers (default: ${studyTraining('use').temperature} for use, else the trainer's 0.02)` })
    .option('group-size', { type: 'number', describe: `passages per training query, 1 positive + N−1 negatives (default: the trainer's 10)` })
    .option('wise-ft', { type: 'number', describe: `WiSE-FT α of the trained retrievers: base + α · (trained − base), in [0, 1] (default: ${studyTraining('use').wiseFt ?? 1} for use, else 1 = as trained)` })
    .option('cloze-pairs', {
      type: 'number',
      describe: `inverse-cloze pairs of the training corpus (a sentence → its passage) mixed into every trained retriever's samples, the same for each; the studies add a \`cloze\` row trained on them alone; 0 = none (default: ${studyTraining('use').clozePairs ?? 0} for use, else 0)`,
    })
    .option('loops', { type: 'number', default: defaults.loops, describe: 'flywheel loops (fresh questions each loop)' })
    .option('steps', { type: 'number', describe: 'flywheel: training steps per loop, fixed across loops (default: loop 1\'s)' })
    .option('concurrency', { type: 'number', default: defaults.concurrency, describe: 'questions in flight per agent' })
    .option('timeout', { type: 'number', default: defaults.timeoutSeconds, describe: 'per-question agent time limit (s)' })
    .option('resamples', { type: 'number', default: defaults.resamples, describe: 'bootstrap resamples' })
    .option('cache-dir', { type: 'string', default: defaults.cacheDir, describe: 'embedding / model cache' })
    .option('corpus-limit', { type: 'number', describe: 'keep N corpus docs + the selected questions\' evidence (smoke runs)' })
    .option('dry-run', { type: 'boolean', default: false, describe: 'print the resolved configuration as JSON and exit' })
    .example('$0 in-domain', 'the default offline study: text-only reader + labelled oracle, USE-lite base retriever')
    .example('$0 in-domain --seeds 3 --limit 40', 'three seeds (mean ± sd, paired bootstrap CIs, Holm-corrected)')
    .example('$0 ablation --limit 50 --agents reader --out results/ablation-small', 'a quick ablation with the text-only agent')
    .example('npx nx run bench:in-domain -- --agents reader,openai --base-url http://127.0.0.1:8000/v1 --model qwen3-8b', 'a real LLM agent beside the simulated reader (flags after --)')
    .example('$0 in-domain --answer-judge llm --judge-base-url http://127.0.0.1:8001/v1 --judge-model judge-7b', 'answers judged by a separate LLM')
    .strictOptions()
    .help(false)
    .version(false)
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new BenchUsageError(`bench: ${msg}`);
    });
}

export function parseBenchArgs(argv: readonly string[], defaults: BenchOptions = defaultOptions()): ParsedArgs {
  const parser = buildParser(argv, defaults);
  // --help wins over everything else on the line (even a bad flag): print, run nothing.
  if (argv.some((a) => a === '--help' || a === '-h')) {
    let text = '';
    parser.showHelp((s: string) => {
      text = s;
    });
    return { help: `${text}\n  --help, -h  show this help and exit` };
  }
  const a = parser.parseSync();
  const positionals = a._.map(String);
  if (positionals.length === 0) throw new BenchUsageError(`bench: no job given; expected one of ${JOB_NAMES.join(', ')}`);
  const job = positionals[0];
  if (!(JOB_NAMES as readonly string[]).includes(job)) throw new BenchUsageError(`bench: unknown job "${job}"; expected one of ${JOB_NAMES.join(', ')}`);
  if (positionals.length > 1) {
    throw new BenchUsageError(`bench: unexpected argument${positionals.length > 2 ? 's' : ''} ${positionals.slice(1).map((p) => `"${p}"`).join(', ')} after the job (flags start with --; through Nx put them after "--")`);
  }
  const positive = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v > 0)) throw new BenchUsageError(`bench: --${name} must be a positive integer, got ${v}`);
    return v;
  };
  const nonNegative = (name: string, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 0)) throw new BenchUsageError(`bench: --${name} must be a non-negative integer, got ${v}`);
    return v;
  };
  const agents = parseAgentList(a.agents);
  if (agents.length === 0) throw new BenchUsageError('bench: --agents is empty');
  const judgeEndpoint = Boolean(a['judge-base-url'] && a['judge-model']);
  // The judges never fall back to the agent's endpoint: a model must not grade itself unannounced.
  if (a.judge === 'llm' && !judgeEndpoint) throw new BenchUsageError('bench: --judge llm needs --judge-base-url and --judge-model (the agent\'s --base-url is never used for judging)');
  if (a['answer-judge'] === 'llm' && !judgeEndpoint) throw new BenchUsageError('bench: --answer-judge llm needs --judge-base-url and --judge-model (the agent\'s --base-url is never used for judging)');
  if (Boolean(a['judge-base-url']) !== Boolean(a['judge-model'])) throw new BenchUsageError('bench: --judge-base-url and --judge-model go together');
  if (a.lr !== undefined && !(Number.isFinite(a.lr) && a.lr > 0)) throw new BenchUsageError(`bench: --lr must be a positive number, got ${a.lr}`);
  if (a.temperature !== undefined && !(Number.isFinite(a.temperature) && a.temperature > 0)) throw new BenchUsageError(`bench: --temperature must be a positive number, got ${a.temperature}`);
  if (a['wise-ft'] !== undefined && !(Number.isFinite(a['wise-ft']) && a['wise-ft'] >= 0 && a['wise-ft'] <= 1)) throw new BenchUsageError(`bench: --wise-ft must be in [0, 1], got ${a['wise-ft']}`);
  if (a['group-size'] !== undefined && !(Number.isInteger(a['group-size']) && a['group-size'] >= 2)) throw new BenchUsageError(`bench: --group-size must be an integer ≥ 2, got ${a['group-size']}`);
  // The study settings follow the encoder being trained (a --retriever folder is a transformer).
  const study = studyTraining(a.retriever === undefined ? a.encoder : 'transformer');
  const trainSides = a['train-sides'] ?? study.trainSides;
  if (a['train-sides'] !== undefined && !(a.retriever === undefined && TRAINABLE_SIDES[a.encoder as EncoderKind]?.includes(a['train-sides']))) {
    const kind = a.retriever === undefined ? a.encoder : 'a --retriever folder';
    const takes = Object.entries(TRAINABLE_SIDES).map(([k, sides]) => `${k}: ${sides.join(', ')}`);
    throw new BenchUsageError(`bench: --train-sides ${a['train-sides']} does not apply to ${kind} (${takes.join('; ')})`);
  }
  if (!(a['test-fraction'] > 0 && a['test-fraction'] <= 1)) throw new BenchUsageError(`bench: --test-fraction must be in (0, 1], got ${a['test-fraction']}`);
  return {
    job: job as JobName,
    options: {
      dataset: path.resolve(a.dataset),
      oodDataset: path.resolve(a['ood-dataset']),
      agents,
      encoder: a.encoder,
      ...(a.retriever === undefined ? {} : { retriever: path.resolve(a.retriever) }),
      ...(trainSides === undefined ? {} : { trainSides }),
      seed: a.seed,
      seeds: positive('seeds', a.seeds) ?? defaults.seeds,
      limit: a.limit === 0 ? undefined : positive('limit', a.limit),
      testFraction: a['test-fraction'],
      out: a.out === undefined ? undefined : path.resolve(a.out),
      baseUrl: a['base-url'],
      model: a.model,
      judge: a.judge,
      answerJudge: a['answer-judge'],
      judgeBaseUrl: a['judge-base-url'],
      judgeModel: a['judge-model'],
      epochs: positive('epochs', a.epochs) ?? study.epochs ?? DEFAULT_STUDY_EPOCHS,
      batchSize: positive('batch-size', a['batch-size']) ?? defaults.batchSize,
      lr: studyLearningRate(a.retriever === undefined ? a.encoder : 'transformer', a.lr),
      temperature: a.temperature ?? study.temperature,
      groupSize: a['group-size'] ?? study.groupSize,
      wiseFt: a['wise-ft'] ?? study.wiseFt,
      clozePairs: nonNegative('cloze-pairs', a['cloze-pairs']) ?? study.clozePairs,
      loops: positive('loops', a.loops) ?? defaults.loops,
      steps: positive('steps', a.steps),
      concurrency: positive('concurrency', a.concurrency) ?? defaults.concurrency,
      timeoutSeconds: a.timeout,
      resamples: positive('resamples', a.resamples) ?? defaults.resamples,
      cacheDir: path.resolve(a['cache-dir']),
      corpusLimit: positive('corpus-limit', a['corpus-limit']),
      dryRun: a['dry-run'],
    },
  };
}
