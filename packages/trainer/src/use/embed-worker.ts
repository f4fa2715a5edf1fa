import { parentPort, workerData } from 'worker_threads';
import { selectBackend } from '../backend/select-backend';
import { UseLiteModel } from './use-model';

// One USE-lite model on its own thread (tfjs-wasm runs single-threaded in Node): the main thread
// sends batches of texts, the worker answers with their embeddings (buffer transferred, not copied).
interface Init {
  modelDir?: string;
}
interface Request {
  id: number;
  texts: string[];
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('embed-worker must run in a worker thread');
  const init = workerData as Init;
  await selectBackend({ prefer: 'wasm', strict: true, log: () => undefined });
  const model = await UseLiteModel.load(init.modelDir);
  port.on('message', (m: Request) => {
    model.embed(m.texts).then(
      (out) => port.postMessage({ id: m.id, out }, [out.buffer as ArrayBuffer]),
      (err: Error) => port.postMessage({ id: m.id, error: err.message }),
    );
  });
  port.postMessage({ ready: model.embeddingVersion });
}

main().catch((err: Error) => {
  parentPort?.postMessage({ fatal: err.message });
});
