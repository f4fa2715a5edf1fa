import { Worker } from 'worker_threads';
import * as tf from '@tensorflow/tfjs';
import type { EncoderOptions } from '../encoders';
import type { EncoderKind } from '../encoders/encoder';
import type { TrainingSample } from '../groups';
import type { TrainOptions, TrainProgress, TrainResult } from '../train';
import { workerScript } from '../worker-script';

// tfjs-wasm computes on one core per thread in Node, so a run that trains several retrievers (a
// study's lrat, gold and click models) can train them side by side, or train while the main thread
// searches, by giving each training a thread of its own.

/** What `trainOnThread` takes: `train` options whose encoder is made on the thread. */
export interface ThreadTrainOptions extends Omit<TrainOptions, 'encoder' | 'pairs' | 'evaluate' | 'onStep' | 'workers'> {
  pairs: readonly TrainingSample[] | string;
  /** The encoder to train, made on the thread exactly as `createEncoder(kind, options)` makes it. */
  encoder: { kind: EncoderKind; options?: EncoderOptions };
}

/** Sent to the training thread as workerData. Internal. */
export interface TrainThreadInit {
  kind: EncoderKind;
  encoderOptions: EncoderOptions;
  /** `train` options; `backend` is always set: the thread selects that backend. */
  train: Omit<ThreadTrainOptions, 'encoder' | 'onProgress'> & { backend: string };
}

/** Messages from the training thread. Internal. */
export type TrainThreadReply = { type: 'progress'; progress: TrainProgress } | { type: 'done'; result: TrainResult } | { type: 'error'; message: string };

/**
 * `train` on a worker thread of its own, with the same backend as this thread (or `backend`): the same
 * steps, metrics, checkpoints and model files as `train` here, while this thread stays free. Load the
 * trained model from `result.modelDir` (loadEncoder). Progress arrives through `onProgress`.
 */
export function trainOnThread(options: ThreadTrainOptions): Promise<TrainResult> {
  const { encoder, onProgress, ...rest } = options;
  const init: TrainThreadInit = { kind: encoder.kind, encoderOptions: encoder.options ?? {}, train: { ...rest, backend: rest.backend ?? tf.getBackend() } };
  const script = workerScript(__dirname, 'train-worker');
  return new Promise<TrainResult>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    const worker = new Worker(script.file, { workerData: init, execArgv: script.execArgv, env: script.env });
    worker.on('message', (m: TrainThreadReply) => {
      if (m.type === 'progress') onProgress?.(m.progress);
      else if (m.type === 'done') {
        settle(() => resolve(m.result));
        // Its work is on disk; a pool or timer the encoder left must not keep the process alive.
        void worker.terminate();
      }
      else settle(() => reject(new Error(m.message)));
    });
    worker.on('error', (err) => settle(() => reject(err)));
    worker.on('exit', (code) => settle(() => reject(new Error(`training thread exited (code ${code}) before it finished`))));
  });
}
