import type { TrajectoryFormat } from '@lrat/trajectory';
import type { JudgeSpec } from './judges';
import type { ItemResult } from './mine-item';
import type { TokenizerName } from './tokenizers';

// Messages between the main thread and mining workers.

export interface WorkerInit {
  format: TrajectoryFormat;
  corpusPath: string;
  judge: JudgeSpec;
  tokenizer: TokenizerName | null;
  /** Send back the verdicts given (for --save-verdicts). */
  record: boolean;
  /** Documents preloaded in shared memory (the benchmark): bytes [offsets[2i], offsets[2i+1]) are document i. */
  pool?: { buffer: SharedArrayBuffer; offsets: Float64Array; names: string[] };
}

export type WorkerTask =
  | { seq: number; kind: 'files'; files: string[] }
  | { seq: number; kind: 'lines'; file: string; lines: { line: number; bytes: Uint8Array; complete: boolean; unreadable?: string }[] }
  | { seq: number; kind: 'pool'; indices: number[] };

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'result'; seq: number; items: ItemResult[]; verdicts?: [string, boolean][] }
  | { type: 'fatal'; seq: number; name: string; message: string };
