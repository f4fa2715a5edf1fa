import { promises as fsp } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { AdamW } from './adamw';
import { writeDirAtomic } from './atomic';
import { CheckpointState, latestCheckpoint, restoreCheckpoint, saveCheckpoint } from './checkpoint';
import type { Encoder } from './encoders/encoder';
import { contrastiveGradients, microBatchSizes, type MicroBatchSizes } from './contrastive-step';
import { autoMicroBatch, isOutOfMemory } from './memory-budget';
import { layoutBatch, sampleGroup, TrainingSample } from './groups';
import { interpolateVariables } from './interpolate';
import { DataParallelSteps } from './parallel/data-parallel';
import { checkSampleWeights, readPairs, samplesDigest } from './pairs';
import { Rng } from './rng';
import { learningRate } from './schedule';
import { writeFileAtomic } from '@lrat/core';

/**
 * Peak learning rate when none is given. Measured on multihop-wiki (300 train questions, BM25
 * negatives, 1 epoch, batch 32, group 10, wasm): the identity-initialised adapters gain dev nDCG@10 at
 * 1e-4 (0.741 → 0.761) but overfit at 1e-3 (→ 0.687); the from-scratch bag of words needs more.
 */
export function defaultLearningRate(kind: string): number {
  // Fully fine-tuned USE-lite: 5e-5 lowered the loss 1.95 → 0.42 in 24 steps (96 mined pairs, batch 8,
  // group 2) and raised held-out nDCG@10 0.657 → 0.668 on a 507-paragraph pool; not tuned further.
  if (kind === 'use') return 5e-5;
  // Pretrained BERT-family folders: the usual full fine-tuning rate (sentence-transformers' and
  // FlagEmbedding's default).
  if (kind === 'transformer') return 2e-5;
  return kind === 'use-adapter' ? 1e-4 : 1e-3;
}

/** Scores the encoder on a dev set: metric label → value (e.g. {"ndcg@10": 0.41, "recall@100": 0.8}). */
export type Evaluator = (encoder: Encoder) => Promise<Record<string, number>>;

export type TrainPhase = 'prepare' | 'train' | 'eval';

export interface TrainProgress {
  phase: TrainPhase;
  /** prepare: texts embedded; train: global steps completed. */
  done: number;
  total: number;
  epoch?: number;
  loss?: number;
  lr?: number;
  examplesPerSec?: number;
  etaSeconds?: number;
}

export interface TrainOptions {
  /** Samples (e.g. the rows `lrat mine` wrote, read by loadPairs), or a FlagEmbedding JSONL file, or a stream of samples. */
  pairs: readonly TrainingSample[] | string | AsyncIterable<TrainingSample>;
  encoder: Encoder;
  outDir: string;
  epochs?: number;
  batchSize?: number;
  /** 1 positive + (groupSize − 1) hard negatives per query. */
  groupSize?: number;
  temperature?: number;
  lr?: number;
  /** Warmup: a fraction of all steps when < 1, else a number of steps. */
  warmup?: number;
  weightDecay?: number;
  maxGradNorm?: number;
  /** false = plain mean cross-entropy (the unweighted ablation). */
  weighted?: boolean;
  seed?: number;
  /** Dev evaluation; the best model by `selectMetric` is kept in outDir/best. */
  evaluate?: Evaluator;
  selectMetric?: string;
  /** Evaluate every N steps (and always at the end of each epoch and before training). 0 = only those. */
  evalEvery?: number;
  /** Checkpoint every N steps (and at the end). 0 = only at the end. */
  checkpointEvery?: number;
  resume?: boolean;
  /** Stop after this many global steps (the schedule still spans the whole run). */
  maxSteps?: number;
  /**
   * Gradient caching: texts per micro-batch, one number for both sides or per side; 0 = off (one
   * tape over the whole batch). Same loss and gradients up to float rounding, peak activation memory
   * of one micro-batch — what lets long-sequence transformer batches fit the 4 GB wasm heap.
   * Default on wasm: chosen per step from the encoder's `tapeBytes`, off where a side fits
   * WASM_TAPE_BUDGET (memory-budget.ts); elsewhere off.
   */
  microBatch?: number | Partial<MicroBatchSizes>;
  /**
   * Data-parallel training over this many worker threads (default 1: on this thread). Each worker
   * holds a copy of the encoder and embeds / back-propagates a share of the step's micro-batches;
   * gradients are summed here and one optimizer step is applied, so the result equals the one-thread
   * run up to float rounding. Pays off for transformer encoders on a machine with free cores; each
   * worker costs a model copy in memory.
   */
  workers?: number;
  /**
   * WiSE-FT: the model written at the end (outDir/last and outDir) is base + α · (trained − base),
   * the trained weights moved back toward the encoder's weights before training by 1 − α. Default 1
   * (the trained weights). Checkpoints hold the trained weights, so resume continues training.
   * Not with `evaluate` (choose α on a dev set instead: apps/bench/studies/study-dev-sweep.js).
   */
  wiseFtAlpha?: number;
  /** Name of the tfjs backend in use (default: tf.getBackend()); recorded everywhere. */
  backend?: string;
  onProgress?: (p: TrainProgress) => void;
  /** Called after each step completes (and its checkpoint, if any, is written). */
  onStep?: (step: number) => void | Promise<void>;
}

export interface MetricLine {
  type: 'train' | 'eval';
  step: number;
  epoch: number;
  backend: string;
  [key: string]: unknown;
}

export interface TrainResult {
  metrics: MetricLine[];
  best: { step: number; metric: string; value: number; dir: string } | null;
  steps: number;
  /** Mean loss of the first and last epoch-sized window of steps run in this call. */
  firstLoss: number | null;
  lastLoss: number | null;
  backend: string;
  outDir: string;
  /** Where the selected model was written (outDir itself). */
  modelDir: string;
  seconds: number;
}

async function collect(pairs: TrainOptions['pairs']): Promise<readonly TrainingSample[]> {
  if (typeof pairs !== 'string' && Symbol.iterator in pairs) return pairs;
  const out: TrainingSample[] = [];
  const stream = typeof pairs === 'string' ? readPairs(pairs) : pairs;
  for await (const s of stream) out.push(s);
  return out;
}

async function appendLine(file: string, line: MetricLine): Promise<void> {
  await fsp.appendFile(file, JSON.stringify(line) + '\n');
}

/** On resume, drop metric lines the interrupted run wrote after its last checkpoint. */
async function truncateMetrics(file: string, step: number): Promise<MetricLine[]> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    return [];
  }
  const kept = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as MetricLine)
    .filter((m) => m.step <= step);
  await writeFileAtomic(file, kept.map((m) => JSON.stringify(m) + '\n').join(''));
  return kept;
}

/**
 * Copies every file of the chosen model folder (best/ or last/) into outDir, each atomically, so outDir
 * itself is the model (for the transformer: a sentence-transformers folder). Files it did not write
 * are left alone.
 */
async function copyModelFiles(from: string, to: string): Promise<void> {
  for (const entry of await fsp.readdir(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) {
      await fsp.mkdir(dst, { recursive: true });
      await copyModelFiles(src, dst);
    } else if (entry.isFile()) {
      await writeFileAtomic(dst, await fsp.readFile(src));
    }
  }
}

/**
 * Trains `encoder` in place with weighted InfoNCE (docs/lrat-algorithm.md §5) and AdamW with warmup
 * + linear decay and gradient clipping. Writes outDir/metrics.jsonl, atomic checkpoints, outDir/last,
 * outDir/best (with an evaluator) and the selected model at outDir itself (best when evaluated, else
 * last). Deterministic for a given seed and backend, across interruptions and `resume`.
 */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const started = Date.now();
  const encoder = options.encoder;
  const epochs = options.epochs ?? 1;
  const batchSize = options.batchSize ?? 32;
  const groupSize = options.groupSize ?? 10;
  const temperature = options.temperature ?? 0.02;
  const lr = options.lr ?? defaultLearningRate(encoder.kind);
  const seed = options.seed ?? 0;
  const weighted = options.weighted ?? true;
  const selectMetric = options.selectMetric ?? 'ndcg@10';
  const checkpointEvery = options.checkpointEvery ?? 0;
  const evalEvery = options.evalEvery ?? 0;
  const backend = options.backend ?? tf.getBackend();
  const outDir = path.resolve(options.outDir);
  const metricsFile = path.join(outDir, 'metrics.jsonl');
  const micro = microBatchSizes(options.microBatch);
  // Without a user's choice, wasm steps that would overflow its heap get micro-batches by themselves.
  const tapeBytes = options.microBatch === undefined && backend === 'wasm' ? encoder.tapeBytes?.bind(encoder) : undefined;
  const stepMicro = (queries: string[], passages: string[]): MicroBatchSizes =>
    tapeBytes ? { query: autoMicroBatch(tapeBytes(queries, 'query')), passage: autoMicroBatch(tapeBytes(passages, 'document')) } : micro;
  const workers = options.workers ?? 1;
  for (const [k, v] of Object.entries({ epochs, batchSize, groupSize, workers })) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`train: ${k} must be a positive integer, got ${v}`);
  }
  const alpha = options.wiseFtAlpha ?? 1;
  if (!(Number.isFinite(alpha) && alpha >= 0 && alpha <= 1)) throw new Error(`train: wiseFtAlpha must be in [0, 1], got ${options.wiseFtAlpha}`);
  if (alpha !== 1 && options.evaluate) throw new Error('train: wiseFtAlpha and an evaluator do not combine (the evaluator selects trained weights); choose α on a dev set instead');

  const samples = await collect(options.pairs);
  if (samples.length === 0) throw new Error('train: no training samples');
  if (weighted) checkSampleWeights(samples, `train${typeof options.pairs === 'string' ? ` ${options.pairs}` : ''}`);
  const stepsPerEpoch = Math.ceil(samples.length / batchSize);
  const totalSteps = epochs * stepsPerEpoch;
  const warmupSteps = options.warmup === undefined ? Math.round(0.1 * totalSteps) : options.warmup < 1 ? Math.round(options.warmup * totalSteps) : Math.round(options.warmup);
  const fingerprint = {
    encoder: encoder.id,
    samples: samples.length,
    pairsSha256: samplesDigest(samples),
    epochs,
    batchSize,
    groupSize,
    temperature,
    lr,
    warmupSteps,
    weighted,
    seed,
    weightDecay: options.weightDecay ?? 0.01,
    maxGradNorm: options.maxGradNorm ?? 1,
  };
  await fsp.mkdir(outDir, { recursive: true });

  const named = encoder.trainableWeights?.() ?? encoder.weights();
  const vars = named.map((w) => w.variable);
  // The weights before training (before a resumed checkpoint is restored), for WiSE-FT at the end.
  const initial = alpha !== 1 ? vars.map((v) => v.clone()) : [];
  const opt = new AdamW(vars, { weightDecay: options.weightDecay, maxGradNorm: options.maxGradNorm });
  let step = 0;
  let best: TrainResult['best'] = null;
  let metrics: MetricLine[] = [];

  if (options.resume) {
    const ck = await latestCheckpoint(outDir);
    if (ck) {
      const want = JSON.stringify(fingerprint);
      const have = JSON.stringify(ck.state.fingerprint);
      if (want !== have) throw new Error(`train: cannot resume from ${ck.dir}: it was trained with ${have}, this run asks for ${want}`);
      await restoreCheckpoint(ck.dir, encoder, opt);
      step = ck.state.step;
      best = ck.state.best ? { ...ck.state.best, dir: path.join(outDir, 'best') } : null;
      metrics = await truncateMetrics(metricsFile, step);
    } else {
      await fsp.rm(metricsFile, { force: true });
    }
  } else {
    await fsp.rm(metricsFile, { force: true });
  }

  // Fill the base-embedding cache (use-adapter) once, with progress, instead of during the steps.
  if (encoder.warm) {
    const qs = [...new Set(samples.map((s) => s.query))];
    const ps = [...new Set(samples.flatMap((s) => [...s.pos, ...s.neg]))];
    await encoder.warm(qs, 'query', { onProgress: (p) => options.onProgress?.({ phase: 'prepare', ...p }) });
    await encoder.warm(ps, 'document', { onProgress: (p) => options.onProgress?.({ phase: 'prepare', ...p }) });
  }

  const record = async (line: MetricLine) => {
    metrics.push(line);
    await appendLine(metricsFile, line);
  };

  const runEval = async (epoch: number) => {
    if (!options.evaluate) return;
    options.onProgress?.({ phase: 'eval', done: step, total: totalSteps, epoch });
    const scores = await options.evaluate(encoder);
    await record({ type: 'eval', step, epoch, backend, ...scores });
    const value = scores[selectMetric];
    if (typeof value !== 'number') throw new Error(`train: the evaluator returned no "${selectMetric}" (got ${Object.keys(scores).join(', ')})`);
    if (!best || value > best.value) {
      const dir = path.join(outDir, 'best');
      await writeDirAtomic(dir, (tmp) => encoder.save(tmp, { backend, step, selectedBy: { metric: selectMetric, value } }));
      best = { step, metric: selectMetric, value, dir };
    }
  };

  const checkpoint = async () => {
    const state: CheckpointState = {
      step,
      fingerprint,
      backend,
      best: best ? { step: best.step, metric: best.metric, value: best.value } : null,
      savedAt: new Date().toISOString(),
    };
    await saveCheckpoint(outDir, encoder, opt, state);
  };

  if (step === 0) await runEval(0);

  const stopAt = Math.min(totalSteps, options.maxSteps ?? totalSteps);
  const losses: number[] = [];
  const sessionStart = Date.now();
  const sessionFirstStep = step;
  // Started after the warm-up above so the workers' encoders see a filled embedding cache.
  const parallel = workers > 1 && step < stopAt ? await DataParallelSteps.start(encoder, named, workers, backend) : null;
  try {
    while (step < stopAt) {
      const epoch = Math.floor(step / stepsPerEpoch);
      const inEpoch = step % stepsPerEpoch;
      const order = Rng.derive(seed, epoch).shuffle(samples.map((_, i) => i));
      const idx = order.slice(inEpoch * batchSize, (inEpoch + 1) * batchSize);
      const rng = Rng.derive(seed, epoch, inEpoch, 1);
      const layout = layoutBatch(idx.map((i) => sampleGroup(samples[i], groupSize, rng)));
      const rate = learningRate(step, lr, warmupSteps, totalSteps);
      const t0 = Date.now();
      const stepBatch = { queries: layout.queries, passages: layout.passages, targets: layout.targets, weights: weighted ? layout.weights : undefined, temperature };
      const sizes = stepMicro(layout.queries, layout.passages);
      const { loss, grads } = await (parallel ? parallel.gradients(stepBatch, sizes) : contrastiveGradients(encoder, vars, stepBatch, sizes)).catch((e: unknown) => {
        if (!isOutOfMemory(e)) throw e;
        throw new Error(
          `train: step ${step + 1} ran out of memory on ${backend}${backend === 'wasm' ? ' (its heap holds at most 4 GB)' : ''} with micro-batches of ${sizes.query || 'all'} queries / ${sizes.passage || 'all'} passages; ` +
            'set microBatch (lrat train --micro-batch N) to forward and back-propagate fewer texts at a time — the gradients stay the same',
          { cause: e },
        );
      });
      const gradNorm = opt.step(grads, rate);
      for (const g of grads) g.dispose();
      if (!Number.isFinite(loss)) throw new Error(`train: loss became ${loss} at step ${step + 1}; lower --lr`);
      step++;
      losses.push(loss);
      const elapsed = (Date.now() - sessionStart) / 1000;
      const perStep = elapsed / (step - sessionFirstStep);
      const examplesPerSec = idx.length / Math.max(1e-9, (Date.now() - t0) / 1000);
      const cached = sizes.query > 0 || sizes.passage > 0 ? { microBatch: sizes } : {};
      await record({ type: 'train', step, epoch, backend, loss, lr: rate, gradNorm, examples: idx.length, examplesPerSec, seconds: elapsed, ...cached });
      options.onProgress?.({ phase: 'train', done: step, total: stopAt, epoch, loss, lr: rate, examplesPerSec, etaSeconds: perStep * (stopAt - step) });
      const endOfEpoch = step % stepsPerEpoch === 0;
      if (endOfEpoch || (evalEvery > 0 && step % evalEvery === 0)) await runEval(endOfEpoch ? epoch + 1 : epoch);
      if ((checkpointEvery > 0 && step % checkpointEvery === 0) || step === stopAt) await checkpoint();
      await options.onStep?.(step);
    }
  } finally {
    await parallel?.close();
  }

  if (alpha !== 1) {
    interpolateVariables(vars.map((v, i) => [v, initial[i]] as const), alpha);
    for (const t of initial) t.dispose();
  }
  const lastDir = path.join(outDir, 'last');
  await writeDirAtomic(lastDir, (tmp) => encoder.save(tmp, { backend, step, ...(alpha !== 1 ? { wiseFtAlpha: alpha } : {}) }));
  const chosen: string = best ? (best as { dir: string }).dir : lastDir;
  await copyModelFiles(chosen, outDir);
  opt.dispose();
  const window = Math.max(1, Math.min(stepsPerEpoch, Math.floor(losses.length / 2) || 1));
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  return {
    metrics,
    best,
    steps: step,
    firstLoss: mean(losses.slice(0, window)),
    lastLoss: mean(losses.slice(-window)),
    backend,
    outDir,
    modelDir: outDir,
    seconds: (Date.now() - started) / 1000,
  };
}
