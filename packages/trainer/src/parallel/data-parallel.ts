import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import * as tf from '@tensorflow/tfjs';
import { lossAndEmbeddingGradients, microBatchRanges, type MicroBatchSizes, type StepBatch, type StepGradients } from '../contrastive-step';
import type { Encoder, NamedVariable, Side } from '../encoders/encoder';
import { workerScript } from '../worker-script';
import type { ChunkSpec, WorkerInit, WorkerReply, WorkerRequest } from './protocol';

/**
 * Data-parallel training steps over worker threads (tfjs-wasm computes on one core per thread in
 * Node). Each worker holds its own copy of the encoder; a step is gradient caching with its
 * micro-batches spread over the workers:
 *   1. every worker receives the current trainable weights and embeds its micro-batches, no tape;
 *   2. the main thread computes the loss over the whole batch (in-batch negatives need all of it)
 *      and its gradient w.r.t. the embeddings;
 *   3. every worker back-propagates its micro-batches' slices and answers its summed weight gradients;
 *      the main thread adds them up (in worker order, so a run is deterministic) and the caller applies
 *      one optimizer step to its own weights, which step 1 of the next call broadcasts.
 * By the chain rule this is the one-thread gradient up to float summation order. Without micro-batch
 * sizes each side is split into one micro-batch per worker.
 */
export class DataParallelSteps {
  private constructor(
    private readonly workers: Worker[],
    private readonly vars: NamedVariable[],
  ) {}

  /** Starts `count` workers with copies of `encoder` (saved to a temporary folder, removed after loading). */
  static async start(encoder: Encoder, vars: NamedVariable[], count: number, backend: string = tf.getBackend()): Promise<DataParallelSteps> {
    if (!Number.isInteger(count) || count < 1) throw new Error(`workers must be a positive integer, got ${count}`);
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-workers-'));
    const workers: Worker[] = [];
    try {
      await encoder.save(dir);
      const cacheDir = encoder.config().cacheDir;
      const init: WorkerInit = { modelDir: dir, cacheDir: typeof cacheDir === 'string' ? cacheDir : undefined, backend, names: vars.map((v) => v.name) };
      const script = workerScript(__dirname, 'step-worker');
      for (let i = 0; i < count; i++) workers.push(new Worker(script.file, { workerData: init, execArgv: script.execArgv, env: script.env }));
      await Promise.all(
        workers.map((w, i) =>
          next(w).then((m) => {
            if (m.type !== 'ready') throw new Error(`training worker ${i}: ${m.type === 'error' ? m.message : `unexpected ${m.type}`}`);
            if (m.names.join('\n') !== init.names.join('\n')) throw new Error(`training worker ${i}: the reloaded encoder's trainable weights (${m.names.length}) differ from this one's (${init.names.length})`);
          }),
        ),
      );
      const pool = new DataParallelSteps(workers, vars);
      await pool.checkReload(encoder);
      return pool;
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * Workers rebuild the encoder from what `encoder.save` wrote; an encoder holding something its
   * folder does not describe (e.g. a tokenizer passed in code) would come back different and
   * silently give wrong gradients. Each worker embeds probe texts, which must match this thread's.
   */
  private async checkReload(encoder: Encoder): Promise<void> {
    const probe: ChunkSpec[] = [
      { side: 'query', texts: ['Which river flows through the capital?'] },
      { side: 'document', texts: ['The river flows through the capital city from north to south.'] },
    ];
    const weights = await this.currentWeights();
    const here = await Promise.all(
      probe.map(async (c) => {
        const batch = await encoder.prepare(c.texts, c.side);
        const y = encoder.forward(batch, c.side);
        const data = (await y.data()) as Float32Array;
        y.dispose();
        batch.dispose();
        return data;
      }),
    );
    const answers = await Promise.all(this.workers.map((w, i) => this.ask(w, i, { type: 'embed', weights, chunks: probe }, 'embedded')));
    answers.forEach((a, i) =>
      a.embeddings.forEach((e, j) => {
        const diff = e.length === here[j].length ? Math.max(...e.map((v, k) => Math.abs(v - here[j][k]))) : Infinity;
        if (!(diff < 1e-4)) throw new Error(`training worker ${i}: the encoder reloaded from its saved folder embeds differently from this one (max difference ${diff}); it cannot be trained on workers`);
      }),
    );
  }

  private currentWeights(): Promise<Float32Array[]> {
    return Promise.all(this.vars.map((v) => v.variable.data() as Promise<Float32Array>));
  }

  get size(): number {
    return this.workers.length;
  }

  /** Loss and one gradient per trainable weight (in `vars` order) of one step, as contrastiveGradients. */
  async gradients(batch: StepBatch, micro: MicroBatchSizes = { query: 0, passage: 0 }): Promise<StepGradients> {
    const n = this.workers.length;
    const plan = (side: Side, texts: string[], size: number) => microBatchRanges(texts.length, size > 0 ? size : Math.ceil(texts.length / n)).map((r) => ({ side, ...r, texts: texts.slice(r.start, r.start + r.count) }));
    const chunks = [...plan('query', batch.queries, micro.query), ...plan('document', batch.passages, micro.passage)];
    // Contiguous shares, so each worker's micro-batches are neighbours and the shares differ by ≤ 1.
    const shares = this.workers.map((_, w) => chunks.filter((_, i) => Math.floor((i * n) / chunks.length) === w));
    const weights = await this.currentWeights();

    const embedded = await Promise.all(
      this.workers.map((w, i) => this.ask(w, i, { type: 'embed', weights, chunks: shares[i].map(({ side, texts }): ChunkSpec => ({ side, texts })) }, 'embedded')),
    );
    const first = shares.findIndex((s) => s.length > 0);
    const width = embedded[first].embeddings[0].length / shares[first][0].count;
    const q = new Float32Array(batch.queries.length * width);
    const p = new Float32Array(batch.passages.length * width);
    shares.forEach((share, w) => share.forEach((c, j) => (c.side === 'query' ? q : p).set(embedded[w].embeddings[j], c.start * width)));

    const qt = tf.tensor2d(q, [batch.queries.length, width]);
    const pt = tf.tensor2d(p, [batch.passages.length, width]);
    const { loss, gq, gp } = await lossAndEmbeddingGradients(qt, pt, batch);
    tf.dispose([qt, pt]);
    const gQ = (await gq.data()) as Float32Array;
    const gP = (await gp.data()) as Float32Array;
    tf.dispose([gq, gp]);

    const answers = await Promise.all(
      this.workers.map((w, i) =>
        this.ask(w, i, { type: 'backward', grads: shares[i].map((c) => (c.side === 'query' ? gQ : gP).slice(c.start * width, (c.start + c.count) * width)) }, 'gradients'),
      ),
    );
    const grads = this.vars.map((v, k) => {
      let sum: Float32Array | null = null;
      for (const a of answers) {
        const g = a.grads[k];
        if (!g) continue;
        if (!sum) sum = g;
        else for (let j = 0; j < g.length; j++) sum[j] += g[j];
      }
      return sum ? tf.tensor(sum, v.variable.shape, 'float32') : tf.zerosLike(v.variable);
    });
    return { loss, grads };
  }

  private async ask<T extends WorkerReply['type']>(w: Worker, i: number, request: WorkerRequest, want: T): Promise<Extract<WorkerReply, { type: T }>> {
    const reply = next(w);
    w.postMessage(request);
    const m = await reply;
    if (m.type === want) return m as Extract<WorkerReply, { type: T }>;
    throw new Error(`training worker ${i}: ${m.type === 'error' ? m.message : `unexpected ${m.type} reply`}`);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** The worker's next message, or its failure (an error event, or an exit before answering). */
function next(w: Worker): Promise<WorkerReply> {
  return new Promise<WorkerReply>((resolve, reject) => {
    const cleanup = () => {
      w.off('message', onMessage);
      w.off('error', onError);
      w.off('exit', onExit);
    };
    const onMessage = (m: WorkerReply) => {
      cleanup();
      resolve(m);
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`training worker exited with code ${code}`));
    };
    w.on('message', onMessage);
    w.on('error', onError);
    w.on('exit', onExit);
  });
}
