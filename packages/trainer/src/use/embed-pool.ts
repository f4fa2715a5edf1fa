import { Worker } from 'worker_threads';
import { workerScript } from '../worker-script';

// USE-lite on several threads for filling the embedding cache: tfjs-wasm uses one core per thread
// in Node, and embedding a corpus is the slowest step of the pipeline on a CPU.

interface Pending {
  texts: string[];
  resolve: (out: Float32Array) => void;
  reject: (err: Error) => void;
}

export class UseEmbeddingPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Map<Worker, Pending>();
  private failure: Error | null = null;
  private closed = false;

  private constructor(private readonly workers: Worker[]) {}

  /** Starts `size` workers and waits until each has loaded the model; they must agree on its version. */
  static async start(size: number, expectedVersion: string, modelDir?: string): Promise<UseEmbeddingPool> {
    const script = workerScript(__dirname, 'embed-worker');
    const workers = Array.from({ length: size }, () => new Worker(script.file, { workerData: { modelDir }, execArgv: script.execArgv, env: script.env }));
    const pool = new UseEmbeddingPool(workers);
    try {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              w.once('error', reject);
              w.once('message', (m: { ready?: string; fatal?: string }) => {
                if (m.fatal) reject(new Error(`embedding worker: ${m.fatal}`));
                else if (m.ready !== expectedVersion) reject(new Error(`embedding worker loaded ${m.ready}, expected ${expectedVersion}`));
                else resolve();
              });
            }),
        ),
      );
    } catch (err) {
      await pool.close();
      throw err;
    }
    for (const w of workers) pool.attach(w);
    return pool;
  }

  /** Idle workers do not keep the process alive; a worker with a batch in flight does. */
  private setBusy(w: Worker, busy: boolean): void {
    if (busy) w.ref();
    else w.unref();
  }

  get size(): number {
    return this.workers.length;
  }

  private attach(w: Worker): void {
    w.on('message', (m: { out?: Float32Array; error?: string }) => {
      const job = this.inFlight.get(w);
      this.inFlight.delete(w);
      if (job) {
        if (m.error !== undefined) job.reject(new Error(`embedding worker: ${m.error}`));
        else job.resolve(m.out as Float32Array);
      }
      this.setBusy(w, false);
      this.idle.push(w);
      this.pump();
    });
    w.on('error', (err) => this.fail(err));
    w.on('exit', (code) => {
      if (code !== 0 && !this.closed) this.fail(new Error(`embedding worker exited with code ${code}`));
    });
    this.setBusy(w, false);
    this.idle.push(w);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const job of [...this.inFlight.values(), ...this.queue.splice(0)]) job.reject(err);
    this.inFlight.clear();
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop() as Worker;
      const job = this.queue.shift() as Pending;
      this.inFlight.set(w, job);
      this.setBusy(w, true);
      w.postMessage({ id: 0, texts: job.texts });
    }
  }

  /** Embeddings of one batch (n × 512), computed by the next free worker. */
  embed(texts: string[]): Promise<Float32Array> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Float32Array>((resolve, reject) => {
      this.queue.push({ texts, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
