import { existsSync } from 'fs';
import * as path from 'path';
import { Worker } from 'worker_threads';
import type { ItemResult } from './mine-item';
import type { WorkerInit, WorkerReply, WorkerTask } from './worker-protocol';

// Runs mining tasks on worker threads and yields their results strictly in task order, so the
// output is identical whatever the number of workers or their timing.

export class WorkerFatalError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

function workerScript(): { file: string; execArgv?: string[]; env?: NodeJS.ProcessEnv } {
  const js = path.join(__dirname, 'mine-worker.js');
  if (existsSync(js)) return { file: js };
  // Running from TypeScript sources (tests): compile the worker on the fly with the workspace paths.
  const root = path.resolve(__dirname, '../../..');
  return {
    file: path.join(__dirname, 'mine-worker.ts'),
    execArgv: ['--require', '@swc-node/register'],
    env: { ...process.env, SWC_NODE_PROJECT: path.join(root, 'tsconfig.base.json') },
  };
}

export interface TaskResult {
  seq: number;
  items: ItemResult[];
  verdicts?: [string, boolean][];
}

type TaskBody = WorkerTask extends infer T ? (T extends WorkerTask ? Omit<T, 'seq'> : never) : never;

/**
 * Feed tasks to `workers` threads (at most 4 queued per worker) and yield results in order.
 * A fatal error in any worker (e.g. a missing replay verdict) rejects and stops all of them.
 */
export async function* runWorkerPool(init: WorkerInit, tasks: AsyncIterable<TaskBody> | Iterable<TaskBody>, workers: number): AsyncGenerator<TaskResult> {
  const script = workerScript();
  const pool: Worker[] = [];
  const done = new Map<number, TaskResult>();
  let fatal: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  const load = new Array<number>(workers).fill(0);
  let readyCount = 0;
  for (let w = 0; w < workers; w++) {
    const worker = new Worker(script.file, { workerData: init, execArgv: script.execArgv, env: script.env });
    worker.on('message', (m: WorkerReply) => {
      if (m.type === 'ready') readyCount++;
      else if (m.type === 'fatal') fatal ??= new WorkerFatalError(m.name, m.message);
      else {
        load[w]--;
        done.set(m.seq, { seq: m.seq, items: m.items, verdicts: m.verdicts });
      }
      notify();
    });
    worker.on('error', (e) => {
      fatal ??= e;
      notify();
    });
    worker.on('exit', (code) => {
      if (code !== 0) fatal ??= new Error(`mining worker exited with code ${code}`);
      notify();
    });
    pool.push(worker);
  }
  const waitEvent = (): Promise<void> => new Promise<void>((r) => (wake = r));
  try {
    while (readyCount < workers) {
      if (fatal) throw fatal;
      await waitEvent();
    }
    let next = 0; // next seq to yield
    let seq = 0;
    const it = (Symbol.asyncIterator in tasks ? (tasks as AsyncIterable<TaskBody>)[Symbol.asyncIterator]() : (tasks as Iterable<TaskBody>)[Symbol.iterator]()) as
      | AsyncIterator<TaskBody>
      | Iterator<TaskBody>;
    let exhausted = false;
    for (;;) {
      if (fatal) throw fatal;
      // Keep every worker busy with a bounded queue.
      while (!exhausted && seq - next < workers * 4) {
        const r = await it.next();
        if (r.done) {
          exhausted = true;
          break;
        }
        let w = 0;
        for (let k = 1; k < workers; k++) if (load[k] < load[w]) w = k;
        load[w]++;
        pool[w].postMessage({ ...r.value, seq: seq++ } as WorkerTask);
      }
      while (done.has(next)) {
        const res = done.get(next) as TaskResult;
        done.delete(next);
        next++;
        yield res;
      }
      if (exhausted && next === seq) return;
      if (fatal) throw fatal;
      // Sleep only when nothing can be yielded and no task can be queued (results may all have
      // arrived while the consumer was busy with the ones yielded above).
      if (!done.has(next) && (exhausted || seq - next >= workers * 4)) await waitEvent();
    }
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}
