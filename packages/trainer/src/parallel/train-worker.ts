import { parentPort, workerData } from 'worker_threads';
import { selectBackend } from '../backend/select-backend';
import { createEncoder } from '../encoders';
import { train, type TrainResult } from '../train';
import type { TrainThreadInit, TrainThreadReply } from './train-thread';

// One `train` call on its own thread (see train-thread.ts): makes the encoder, trains it, writes the
// model files, and answers the result.

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('train-worker must run in a worker thread');
  const init = workerData as TrainThreadInit;
  const reply = (m: TrainThreadReply) => port.postMessage(m);
  await selectBackend({ prefer: init.train.backend, strict: true, env: {}, log: () => undefined });
  const encoder = await createEncoder(init.kind, init.encoderOptions);
  let result: TrainResult;
  try {
    result = await train({ ...init.train, encoder, onProgress: (progress) => reply({ type: 'progress', progress }) });
  } finally {
    // Before answering: disposing writes the encoder's caches (base embeddings it computed) to disk,
    // and the caller ends this thread once it has the answer.
    encoder.dispose();
  }
  reply({ type: 'done', result });
}

main().catch((err: Error) => {
  parentPort?.postMessage({ type: 'error', message: err.message } satisfies TrainThreadReply);
});
