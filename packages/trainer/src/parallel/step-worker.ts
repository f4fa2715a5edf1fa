import { parentPort, workerData } from 'worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select-backend';
import { addChunkGradients } from '../contrastive-step';
import type { PreparedBatch, Side } from '../encoders/encoder';
import { loadEncoder } from '../encoders';
import type { WorkerInit, WorkerReply, WorkerRequest } from './protocol';

// One copy of the encoder on its own thread (tfjs-wasm computes on one core per thread in Node): it
// embeds and back-propagates the micro-batches the main thread gives it; the main thread computes
// the loss over the whole batch, sums the workers' gradients and applies the optimizer step.

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('step-worker must run in a worker thread');
  const init = workerData as WorkerInit;
  await selectBackend({ prefer: init.backend, strict: true, env: {}, log: () => undefined });
  const encoder = await loadEncoder(init.modelDir, init.cacheDir ? { cacheDir: init.cacheDir } : {});
  const named = encoder.trainableWeights?.() ?? encoder.weights();
  const byName = new Map(named.map((w) => [w.name, w.variable]));
  const vars = init.names.map((n) => byName.get(n));
  const reply = (m: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  if (vars.some((v) => !v) || named.length !== init.names.length) {
    reply({ type: 'ready', names: named.map((w) => w.name) });
    return;
  }
  const variables = vars as tf.Variable[];
  let kept: Array<{ side: Side; batch: PreparedBatch }> = [];
  const release = () => {
    kept.forEach((c) => c.batch.dispose());
    kept = [];
  };

  const handle = async (m: WorkerRequest): Promise<void> => {
    if (m.type === 'embed') {
      release();
      variables.forEach((v, i) => {
        const t = tf.tensor(m.weights[i], v.shape, 'float32');
        v.assign(t);
        t.dispose();
      });
      const embeddings: Float32Array[] = [];
      for (const c of m.chunks) {
        const batch = await encoder.prepare(c.texts, c.side);
        kept.push({ side: c.side, batch });
        const y = encoder.forward(batch, c.side);
        // A copy: the backend may hand out a view of its heap, which must never be transferred.
        embeddings.push(((await y.data()) as Float32Array).slice());
        y.dispose();
      }
      reply({ type: 'embedded', embeddings }, embeddings.map((e) => e.buffer as ArrayBuffer));
      return;
    }
    const sums: Array<tf.Tensor | null> = variables.map(() => null);
    try {
      kept.forEach((c, i) => {
        const g = tf.tensor2d(m.grads[i], [c.batch.size, m.grads[i].length / c.batch.size]);
        addChunkGradients(encoder, variables, c.batch, c.side, g, sums);
        g.dispose();
      });
      const grads = await Promise.all(sums.map((s) => (s ? (s.data() as Promise<Float32Array>).then((d) => d.slice()) : null)));
      reply({ type: 'gradients', grads }, grads.flatMap((g) => (g ? [g.buffer as ArrayBuffer] : [])));
    } finally {
      sums.forEach((s) => s?.dispose());
      release();
    }
  };

  port.on('message', (m: WorkerRequest) => {
    handle(m).catch((err: Error) => reply({ type: 'error', message: err.message }));
  });
  reply({ type: 'ready', names: init.names });
}

main().catch((err: Error) => {
  parentPort?.postMessage({ type: 'error', message: err.message } satisfies WorkerReply);
});
