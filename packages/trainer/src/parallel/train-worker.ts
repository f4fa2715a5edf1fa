import { parentPort, workerData } from 'worker_threads';
import { selectBackend } from '../backend/select-backend';
import { createEncoder } from '../encoders';
import { train } from '../train';
import type { TrainThreadInit, TrainThreadReply } from './train-thread';

// One `train` call on its own thread (see train-thread.ts): makes the encoder, trains it, writes the
// model files, and answers the result.

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('train-worker must run in a worker thread');
  const init = workerData as TrainThreadInit;
  const reply = (m: TrainThreadReply) => port.postMessage(m);
  await selectBackend({ prefer: init.backend, strict: true, env: {}, log: () => undefined });
  const encoder = await createEncoder(init.kind, init.encoderOptions);
  try {
    const result = await train({ ...init.train, encoder, onProgress: (progress) => reply({ type: 'progress', progress }) });
    // Disposing first writes the encoder's caches (base embeddings it computed) to disk.
    encoder.dispose();
    reply({ type: 'done', result });
  } catch (err) {
    encoder.dispose();
    throw err;
  }
}

main().catch((err: Error) => {
  parentPort?.postMessage({ type: 'error', message: err.message } satisfies TrainThreadReply);
});
