import { readFileSync } from 'fs';
import { parentPort, workerData } from 'worker_threads';
import { jsonlLineItem, parseTrajectoryFileBytes, TrajectoryInputError, type ReadItem } from '@lrat/trajectory';
import { loadMinerCorpus } from './corpus';
import { createJudge, RecordingJudge } from './judges';
import { mineItemSync, type ItemResult } from './mine-item';
import { createTokenizer } from './tokenizers';
import type { WorkerInit, WorkerReply, WorkerTask } from './worker-protocol';

// A mining worker thread: reads/parses/mines the items it is sent with a synchronous judge.

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  const port = parentPort;
  if (!port) throw new Error('mine-worker must run as a worker thread');
  const corpus = await loadMinerCorpus(init.corpusPath);
  const tokenizer = init.tokenizer ? await createTokenizer(init.tokenizer) : null;
  const inner = createJudge(init.judge);
  const judge = init.record ? new RecordingJudge(inner) : inner;
  const opts = { judge, tokenizer, corpus };
  const pool = init.pool ? new Uint8Array(init.pool.buffer) : undefined;

  const handle = (task: WorkerTask): ItemResult[] => {
    const items: ItemResult[] = [];
    const add = (item: ReadItem | null): void => {
      if (item) items.push(mineItemSync(item, opts));
    };
    if (task.kind === 'files') {
      for (const file of task.files) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch (e) {
          add({ ok: false, error: new TrajectoryInputError('skipped', { file }, `cannot read: ${(e as Error).message}`) });
          continue;
        }
        add(parseTrajectoryFileBytes(bytes, file, init.format));
      }
    } else if (task.kind === 'lines') {
      for (const l of task.lines) add(jsonlLineItem(l, task.file, init.format));
    } else {
      if (!pool || !init.pool) throw new Error('no document pool was shared with this worker');
      for (const i of task.indices) {
        const bytes = pool.subarray(init.pool.offsets[2 * i], init.pool.offsets[2 * i + 1]);
        add(parseTrajectoryFileBytes(bytes, init.pool.names[i], init.format));
      }
    }
    return items;
  };

  port.on('message', (task: WorkerTask) => {
    let reply: WorkerReply;
    try {
      const items = handle(task);
      reply = { type: 'result', seq: task.seq, items };
      if (judge instanceof RecordingJudge) {
        reply.verdicts = [...judge.verdicts].map(([k, v]) => [k, v === 'RELEVANT']);
        judge.verdicts.clear();
      }
    } catch (e) {
      reply = { type: 'fatal', seq: task.seq, name: (e as Error).name, message: (e as Error).message };
    }
    port.postMessage(reply);
  });
  port.postMessage({ type: 'ready' } satisfies WorkerReply);
}

main().catch((e) => {
  parentPort?.postMessage({ type: 'fatal', seq: -1, name: (e as Error).name, message: (e as Error).message } satisfies WorkerReply);
});
