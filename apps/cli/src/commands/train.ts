import { promises as fsp } from 'fs';
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import {
  BACKEND_NAMES,
  createEncoder,
  devEvaluator,
  ENCODER_KINDS,
  loadPairs,
  selectBackend,
  train,
  TRAIN_RECIPES,
  trainRecipe,
  type DevSet,
  type Encoder,
  type EncoderKind,
  type PairCounts,
  type TrainProgress,
  type TrainResult,
  type TrainSides,
  TRAINABLE_SIDES,
} from '@lrat/trainer';
import { createProgress, type Progress, documentText, loadCorpus, loadQueries, readQrels } from '@lrat/core';
import { inverseClozePairs } from '@lrat/miners';

// `lrat train`: weighted contrastive training of an encoder on mined pairs (FlagEmbedding JSONL).

export interface TrainArgs {
  pairs: string;
  /** An encoder kind, or a Hugging Face / sentence-transformers folder (the transformer encoder). */
  encoder: string;
  out: string;
  /** A named recipe (`lrat-qwen3`): its values fill every option not given explicitly. */
  recipe?: string;
  /** Defaults (without a recipe): 2 epochs, batch 32, group 10, τ 0.02, warmup 0.1. */
  epochs?: number;
  batchSize?: number;
  groupSize?: number;
  temperature?: number;
  lr?: number;
  warmup?: number;
  seed: number;
  unweighted: boolean;
  includeUnsatisfied: boolean;
  dev?: string;
  devQrels?: string;
  evalEvery: number;
  checkpointEvery: number;
  resume: boolean;
  maxSteps?: number;
  wiseFt?: number;
  microBatch?: number;
  clozeCorpus?: string;
  clozePairs?: number;
  passageMicroBatch?: number;
  workers?: number;
  backend?: string;
  cacheDir?: string;
  queryPrefix?: string;
  adapter: 'linear' | 'mlp';
  trainLayers?: string;
  trainSides?: TrainSides;
  queryMaxLen?: number;
  passageMaxLen?: number;
  pooling?: 'cls' | 'mean' | 'lasttoken';
  quiet: boolean;
}

/**
 * Fills what the user left out from `--recipe` (then the plain defaults), and checks that the encoder
 * is what the recipe was written for.
 */
export function withRecipe(a: TrainArgs): TrainArgs & Required<Pick<TrainArgs, 'epochs' | 'batchSize' | 'groupSize' | 'temperature' | 'warmup'>> {
  const r = a.recipe !== undefined ? trainRecipe(a.recipe) : undefined;
  if (r && (ENCODER_KINDS as readonly string[]).includes(a.encoder)) throw new Error(`--recipe ${r.name} fine-tunes a ${r.modelType} model folder (--encoder <folder>), not --encoder ${a.encoder}`);
  return {
    ...a,
    epochs: a.epochs ?? r?.epochs ?? 2,
    batchSize: a.batchSize ?? r?.batchSize ?? 32,
    groupSize: a.groupSize ?? r?.groupSize ?? 10,
    temperature: a.temperature ?? r?.temperature ?? 0.02,
    warmup: a.warmup ?? r?.warmup ?? 0.1,
    lr: a.lr ?? r?.lr,
    queryPrefix: a.queryPrefix ?? r?.queryPrefix,
    queryMaxLen: a.queryMaxLen ?? r?.queryMaxLength,
    passageMaxLen: a.passageMaxLen ?? r?.passageMaxLength,
    pooling: a.pooling ?? r?.pooling,
  };
}

function checkRecipeEncoder(recipe: string, encoder: Encoder, folder: string): void {
  const r = trainRecipe(recipe);
  const c = encoder.config();
  if (c.architecture !== r.modelType) throw new Error(`--recipe ${r.name} is written for ${r.modelType} checkpoints (Qwen3-Embedding); ${folder} is ${String(c.architecture)}`);
  if (c.poolingModes !== r.pooling) throw new Error(`--recipe ${r.name} trains with ${r.pooling} pooling, but ${folder} pools with ${String(c.poolingModes)} (its 1_Pooling/config.json)`);
}

/** `--train-layers`: "all" or a positive number of top layers; undefined when not given. */
function trainLayersArg(value: string | undefined): 'all' | number | undefined {
  if (value === undefined || value === 'all') return value;
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--train-layers must be "all" or a positive integer, got ${value}`);
  return n;
}

type EncoderArgs = Pick<TrainArgs, 'encoder' | 'cacheDir' | 'queryPrefix' | 'adapter' | 'seed' | 'trainLayers' | 'trainSides' | 'queryMaxLen' | 'passageMaxLen' | 'pooling'>;

/** `--train-sides`: use-adapter trains either side or both; use trains both or only its query tower. */
function checkTrainSides(encoder: string, sides: TrainSides | undefined): void {
  if (sides === undefined) return;
  const ok = TRAINABLE_SIDES[encoder as EncoderKind];
  if (!ok) throw new Error(`--train-sides only applies to --encoder ${Object.keys(TRAINABLE_SIDES).join(' or ')}, not --encoder ${encoder}`);
  if (!ok.includes(sides)) throw new Error(`--train-sides for --encoder ${encoder} must be ${ok.join(', ')}, got ${sides}`);
}

/** Refuses flags that do not apply to `--encoder`, and a folder that is not there (before reading the pairs). */
async function checkEncoderFlags(a: EncoderArgs): Promise<void> {
  trainLayersArg(a.trainLayers);
  checkTrainSides(a.encoder, a.trainSides);
  if (!(ENCODER_KINDS as readonly string[]).includes(a.encoder) || a.encoder === 'transformer') {
    const stat = await fsp.stat(path.resolve(a.encoder)).catch(() => null);
    if (!stat?.isDirectory()) throw new Error(`--encoder ${a.encoder}: neither an encoder kind (${ENCODER_KINDS.filter((k) => k !== 'transformer').join(', ')}) nor a model folder`);
    return;
  }
  const transformerOnly = a.encoder === 'use' ? { '--pooling': a.pooling } : { '--train-layers': a.trainLayers, '--query-max-len': a.queryMaxLen, '--passage-max-len': a.passageMaxLen, '--pooling': a.pooling };
  const given = Object.entries(transformerOnly).filter(([, v]) => v !== undefined).map(([k]) => k);
  if (given.length) throw new Error(`${given.join(', ')} only apply to ${a.encoder === 'use' ? 'a transformer folder' : '--encoder use or a transformer folder'}, not --encoder ${a.encoder}`);
}

/**
 * `--encoder`: one of the built-in kinds, else a model folder for the transformer encoder. `use` (USE-lite
 * unfrozen) and a folder are transformers: they take --train-layers and the per-side max lengths.
 */
export async function encoderFromArgs(a: EncoderArgs): Promise<Encoder> {
  await checkEncoderFlags(a);
  const trainLayers = trainLayersArg(a.trainLayers);
  if ((ENCODER_KINDS as readonly string[]).includes(a.encoder) && a.encoder !== 'transformer') {
    return createEncoder(a.encoder as EncoderKind, { cacheDir: a.cacheDir, queryPrefix: a.queryPrefix, adapter: a.adapter, seed: a.seed, trainLayers, trainSides: a.trainSides, queryMaxLength: a.queryMaxLen, passageMaxLength: a.passageMaxLen });
  }
  return createEncoder('transformer', { model: path.resolve(a.encoder), trainLayers, queryMaxLength: a.queryMaxLen, passageMaxLength: a.passageMaxLen, pooling: a.pooling, queryPrefix: a.queryPrefix });
}

/** Reads a BEIR folder (corpus.jsonl, queries.jsonl, qrels/{dev,test,all}.tsv) as a dev set. */
export async function loadDevSet(dir: string, qrelsFile?: string): Promise<DevSet> {
  let qrelsPath = qrelsFile;
  if (!qrelsPath) {
    for (const name of ['dev.tsv', 'test.tsv', 'all.tsv']) {
      const p = path.join(dir, 'qrels', name);
      if (await fsp.stat(p).then(() => true, () => false)) {
        qrelsPath = p;
        break;
      }
    }
  }
  if (!qrelsPath) throw new Error(`${dir}: no qrels/dev.tsv, qrels/test.tsv or qrels/all.tsv (or pass --dev-qrels)`);
  const [corpus, queries, qrels] = await Promise.all([loadCorpus(path.join(dir, 'corpus.jsonl')), loadQueries(path.join(dir, 'queries.jsonl')), readQrels(qrelsPath)]);
  const judged = queries.filter((q) => qrels.has(q.id));
  if (judged.length === 0) throw new Error(`${qrelsPath}: none of the queries in ${path.join(dir, 'queries.jsonl')} is judged`);
  return { queries: judged.map((q) => ({ id: q.id, text: q.text })), docs: corpus.map((d) => ({ id: d.docid, text: documentText(d) })), qrels };
}

export async function runTrain(args: TrainArgs, say: (line: string) => void = (l) => process.stderr.write(`lrat train: ${l}\n`)): Promise<TrainResult> {
  const a = withRecipe(args);
  await checkEncoderFlags(a);
  const counts: PairCounts = { used: 0, skippedUnsatisfied: 0, withPrompt: 0 };
  const pairs = await loadPairs(path.resolve(a.pairs), { weighted: !a.unweighted, includeUnsatisfied: a.includeUnsatisfied, counts });
  say(
    `${a.pairs}: training on ${counts.used} rows, skipped ${counts.skippedUnsatisfied} unsatisfied` +
      (a.includeUnsatisfied ? ' (--include-unsatisfied: every row kept)' : counts.skippedUnsatisfied ? ' (judge said NOT_RELEVANT; --include-unsatisfied keeps them)' : '') +
      (counts.withPrompt ? `; ${counts.withPrompt} rows carry a prompt, put in front of their query` : ''),
  );
  if (counts.withPrompt && a.queryPrefix) throw new Error(`${a.pairs}: ${counts.withPrompt} rows carry FlagEmbedding's "prompt" and --query-prefix is set too; the encoder would add the prefix in front of the prompt — drop one of them`);
  if (pairs.length === 0) throw new Error(`${a.pairs}: no row to train on (${counts.skippedUnsatisfied} unsatisfied rows skipped; --include-unsatisfied trains on them)`);
  if ((a.clozeCorpus === undefined) !== (a.clozePairs === undefined)) throw new Error('--cloze-corpus and --cloze-pairs go together');
  if (a.clozeCorpus !== undefined && a.clozePairs !== undefined) {
    const cloze = inverseClozePairs(await loadCorpus(path.resolve(a.clozeCorpus)), { count: a.clozePairs, seed: a.seed });
    pairs.push(...cloze);
    say(`${a.clozeCorpus}: + ${cloze.length} inverse-cloze pairs (a sentence → its passage), seed ${a.seed}`);
  }
  const backend = await selectBackend({ prefer: a.backend, log: say });
  const encoder = await encoderFromArgs(a);
  if (a.recipe !== undefined) {
    try {
      checkRecipeEncoder(a.recipe, encoder, a.encoder);
    } catch (err) {
      encoder.dispose();
      throw err;
    }
    say(`recipe ${a.recipe}: lr ${a.lr}, ${a.epochs} epochs, warmup ${a.warmup}, τ ${a.temperature}, group ${a.groupSize}, batch ${a.batchSize}, query/passage max ${a.queryMaxLen}/${a.passageMaxLen} tokens`);
  }
  const dev = a.dev ? await loadDevSet(a.dev, a.devQrels) : undefined;
  if (dev) say(`dev set: ${dev.queries.length} queries over ${dev.docs.length} docs (${a.dev})`);
  const mode = a.quiet ? 'silent' : undefined;
  let bar: Progress | undefined;
  let phase: TrainProgress['phase'] | undefined;
  const onProgress = (p: TrainProgress) => {
    if (p.phase === 'eval') return;
    if (p.phase !== phase) {
      bar?.stop();
      phase = p.phase;
      bar = createProgress({ label: p.phase === 'prepare' ? 'embedding (cached after)' : 'training', total: p.total, mode });
    }
    // The prepare phase reports queries, then documents, each with its own total.
    if (p.phase === 'prepare') bar?.setTotal(p.total);
    const info = p.phase === 'train' ? `loss ${p.loss?.toFixed(4)} lr ${p.lr?.toExponential(2)} ${p.examplesPerSec?.toFixed(0)} ex/s` : '';
    bar?.update(p.done, info);
  };
  try {
    const result = await train({
      pairs,
      encoder,
      outDir: a.out,
      epochs: a.epochs,
      batchSize: a.batchSize,
      groupSize: a.groupSize,
      temperature: a.temperature,
      lr: a.lr,
      warmup: a.warmup,
      seed: a.seed,
      weighted: !a.unweighted,
      evaluate: dev ? devEvaluator(dev) : undefined,
      evalEvery: a.evalEvery,
      checkpointEvery: a.checkpointEvery,
      resume: a.resume,
      maxSteps: a.maxSteps,
      wiseFtAlpha: a.wiseFt,
      microBatch: a.microBatch === undefined && a.passageMicroBatch === undefined ? undefined : { query: a.microBatch ?? 0, passage: a.passageMicroBatch ?? a.microBatch ?? 0 },
      workers: a.workers,
      backend: backend.name,
      onProgress,
    });
    bar?.stop();
    bar = undefined;
    const evals = result.metrics.filter((m) => m.type === 'eval');
    say(`${result.steps} steps in ${result.seconds.toFixed(1)} s on ${result.backend}; loss ${result.firstLoss?.toFixed(4)} → ${result.lastLoss?.toFixed(4)}`);
    if (evals.length) say(`dev nDCG@10: ${evals.map((m) => `step ${m.step} ${(m['ndcg@10'] as number).toFixed(4)}`).join(', ')}; kept step ${result.best?.step}`);
    say(`model written to ${result.modelDir} (metrics in ${path.join(result.outDir, 'metrics.jsonl')})`);
    return result;
  } finally {
    bar?.stop();
    encoder.dispose();
  }
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: 'train',
  describe: 'Train an encoder on mined pairs with weighted InfoNCE (checkpoints, resume, dev evaluation)',
  builder: (y: Argv) =>
    y
      .option('pairs', {
        type: 'string',
        demandOption: true,
        describe: 'FlagEmbedding JSONL (query, pos, neg; optional reweight_rate, satisfied, and prompt — put in front of the query), e.g. from `lrat mine`',
      })
      .option('encoder', {
        type: 'string',
        default: 'use-adapter',
        describe: 'use-adapter: frozen USE-lite + trainable adapters; use: USE-lite with every layer trainable; bow: trainable bag of words; or a Hugging Face / sentence-transformers BERT-family folder (bge, e5, gte, MiniLM…) to fine-tune',
      })
      .option('train-layers', { type: 'string', describe: 'use or a transformer folder: "all" (default: every layer and the embeddings) or N (the top N layers and what sits above them; embeddings frozen)' })
      .option('train-sides', {
        choices: ['both', 'query', 'document'] as const,
        describe: 'use-adapter: which adapters train (default both); use: both (default) or query — only the query tower trains, documents keep the pretrained vectors, so the base index stays valid and the corpus is never re-encoded',
      })
      .option('query-max-len', { type: 'number', describe: "use or a transformer folder: max query tokens, special tokens included (default: the folder's max_seq_length; 128 for use)" })
      .option('passage-max-len', { type: 'number', describe: "use or a transformer folder: max passage tokens (default: the folder's max_seq_length; 128 for use)" })
      .option('pooling', { choices: ['cls', 'mean', 'lasttoken'] as const, describe: 'Transformer folder without sentence-transformers files: pooling (default cls; lasttoken for Qwen3)' })
      .option('recipe', {
        choices: Object.keys(TRAIN_RECIPES),
        describe: 'A published setup in one flag; options given explicitly win. lrat-qwen3: the LRAT paper’s Qwen3-Embedding fine-tune (lr 1e-6, 2 epochs, warmup 0.1, τ 0.02, group 10, batch 256 = 32 × 8 devices, 512-token queries/passages, web-search instruction on queries, last-token pooling)',
      })
      .option('out', { type: 'string', demandOption: true, describe: 'Output folder: the model, best/, last/, checkpoints/, metrics.jsonl' })
      .option('epochs', { type: 'number', describe: 'Default 2 (or the recipe’s)' })
      .option('batch-size', { type: 'number', describe: 'Default 32 (or the recipe’s)' })
      .option('group-size', { type: 'number', describe: '1 positive + (n − 1) hard negatives per query (default 10, or the recipe’s)' })
      .option('temperature', { type: 'number', describe: 'Default 0.02 (or the recipe’s)' })
      .option('lr', { type: 'number', describe: 'Peak learning rate (default 1e-4 for use-adapter, 5e-5 for use, 2e-5 for a transformer folder, 1e-3 for bow)' })
      .option('warmup', { type: 'number', describe: 'Warmup: fraction of steps (< 1) or a number of steps (default 0.1, or the recipe’s)' })
      .option('seed', { type: 'number', default: 0 })
      .option('unweighted', { type: 'boolean', default: false, describe: 'Ignore reweight_rate (plain mean loss, the ablation)' })
      .option('include-unsatisfied', {
        type: 'boolean',
        default: false,
        describe: 'Also train on rows with "satisfied": false (the no-judge ablation). By default, as the official pipeline, only satisfied rows train; rows without the field always do',
      })
      .option('dev', { type: 'string', describe: 'BEIR folder (corpus.jsonl, queries.jsonl, qrels/) for nDCG@10 / Recall@k with exact search' })
      .option('dev-qrels', { type: 'string', describe: 'Qrels file for --dev (default qrels/dev.tsv, test.tsv or all.tsv)' })
      .option('eval-every', { type: 'number', default: 0, describe: 'Also evaluate every N steps (always before training and after each epoch)' })
      .option('checkpoint-every', { type: 'number', default: 100, describe: 'Checkpoint every N steps (and at the end)' })
      .option('resume', { type: 'boolean', default: false, describe: 'Continue from the last checkpoint in --out' })
      .option('max-steps', { type: 'number', describe: 'Stop after N steps (the schedule still spans all epochs)' })
      .option('wise-ft', {
        type: 'number',
        describe: 'WiSE-FT: write base + α · (trained − base), the trained weights moved back toward the starting model (α in [0, 1]; default 1 = as trained). Keeps out-of-domain accuracy; not with --dev (choose α on a dev set)',
      })
      .option('micro-batch', {
        type: 'number',
        describe:
          'Gradient caching: texts per forward/backward pass; same gradients, less memory. 0 = the whole batch at once. Default on wasm: only where a batch would not fit the 4 GB heap, as many texts as the model\'s activation estimate allows',
      })
      .option('passage-micro-batch', { type: 'number', describe: 'Gradient caching for passages only (default: --micro-batch)' })
      .option('cloze-corpus', { type: 'string', describe: 'BEIR corpus.jsonl to draw inverse-cloze pairs from (a sentence of a passage → that passage, 9 random passages as negatives), mixed into the training rows; with --cloze-pairs' })
      .option('cloze-pairs', { type: 'number', describe: 'How many inverse-cloze pairs to mix in (the studies use 1000: they keep the query tower good out of domain)' })
      .option('workers', {
        type: 'number',
        default: 1,
        describe:
          'Data-parallel training over N worker threads, each with a copy of the model (same result up to float rounding). Worth it for transformer encoders when N cores are free; 1 = on the main thread',
      })
      .option('backend', { choices: BACKEND_NAMES as unknown as string[], describe: 'tfjs backend (default: best available; env LRAT_TF_BACKEND)' })
      .option('cache-dir', { type: 'string', describe: 'Base-embedding cache (default $LRAT_CACHE_DIR or ./.lrat-cache)' })
      .option('query-prefix', { type: 'string', describe: 'Instruction prepended to queries' })
      .option('adapter', { choices: ['linear', 'mlp'] as const, default: 'linear' as const, describe: 'use-adapter: adapter shape' })
      .option('quiet', { type: 'boolean', default: false, describe: 'No progress bar' })
      .example('$0 train --pairs pairs.jsonl --encoder use-adapter --out models/x --epochs 2 --dev data/multihop-wiki', 'Train the default encoder, keeping the best model by dev nDCG@10')
      .example('$0 train --pairs pairs.jsonl --encoder use --out models/use-ft', 'Fine-tune every layer of USE-lite (the offline default transformer)')
      .example('$0 train --pairs pairs.jsonl --encoder bow --out models/x --micro-batch 16', 'Gradient caching: forward/backward 16 texts at a time (long sequences, big batches)')
      .example('$0 train --pairs pairs.jsonl --encoder use --out models/use-ft --workers 2 --micro-batch 8', 'Fine-tune USE-lite on two cores: micro-batches of 8 texts spread over 2 worker threads')
      .example('$0 train --pairs pairs.jsonl --encoder use --train-sides query --out models/use-q', 'Fine-tune every weight of USE-lite’s query tower against the frozen document vectors (no corpus re-encoding)')
      .example('$0 train --pairs pairs.jsonl --encoder use --train-sides query --out models/use-q --wise-ft 0.7', 'The same, written as 0.7 of the way from the pretrained to the trained weights (WiSE-FT)')
      .example('$0 train --pairs pairs.jsonl --encoder use --train-sides query --out models/use-q --cloze-corpus corpus.jsonl --cloze-pairs 1000', 'The studies\' recipe: mined pairs plus 1,000 inverse-cloze pairs of the corpus')
      .example('$0 train --pairs pairs.jsonl --out models/no-judge --include-unsatisfied', 'The no-judge ablation: every mined browse is a positive')
      .example('$0 train --pairs pairs.jsonl --out models/x --resume', 'Continue an interrupted run from its last checkpoint')
      .example('$0 train --pairs pairs.jsonl --encoder ~/models/Qwen3-Embedding-0.6B --recipe lrat-qwen3 --out models/qwen3-lrat', 'The paper’s own fine-tune of Qwen3-Embedding (override any value, e.g. --batch-size 32)')
      .example(
        '$0 train --pairs pairs.jsonl --encoder ~/models/bge-small-en-v1.5 --train-layers 4 --query-max-len 64 --passage-max-len 256 --out models/bge-lrat',
        'Fine-tune the top 4 layers of a sentence-transformers checkpoint; models/bge-lrat loads in SentenceTransformer() and `lrat encode`',
      ) as unknown as Argv<TrainArgs>,
  handler: async (a) => {
    await runTrain(a);
  },
};
