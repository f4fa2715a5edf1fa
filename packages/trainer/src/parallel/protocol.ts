import type { Side } from '../encoders/encoder';

// Messages between the data-parallel trainer (main thread) and its step workers. Internal: not part
// of the package's public API.

export interface WorkerInit {
  /** A folder `encoder.save` wrote; the worker loads its own copy with loadEncoder. */
  modelDir: string;
  cacheDir?: string;
  backend: string;
  /** Logical names of the trainable weights, in the order every message uses. */
  names: string[];
}

export interface ChunkSpec {
  side: Side;
  texts: string[];
}

export type WorkerRequest =
  /** Set the trainable weights, then prepare and embed these micro-batches (no tape); keep them prepared. */
  | { type: 'embed'; weights: Float32Array[]; chunks: ChunkSpec[] }
  /** Back-propagate each kept micro-batch's embedding gradient; answer the summed weight gradients. */
  | { type: 'backward'; grads: Float32Array[] };

export type WorkerReply =
  | { type: 'ready'; names: string[] }
  | { type: 'embedded'; embeddings: Float32Array[] }
  /** One gradient per trainable weight; null where the loss does not reach it. */
  | { type: 'gradients'; grads: Array<Float32Array | null> }
  | { type: 'error'; message: string };
