import { TrajectoryInputError, type ReadItem } from '@lrat/trajectory';
import { UnencodableTextError } from './judges/judge';
import { mineTrajectorySync, type MineOptions } from './mine-all';
import { sampleJsonPrefix } from './sample-json';
import { trajectoryShape, type TrajectoryShape } from './yield-check';

// One input item mined into the compact, transferable form the writer needs: each sample's JSON
// prefix plus its length, verdict and negative count. Shared by worker threads and the in-process path.

export type ItemResult =
  | { ok: true; file: string; line?: number; prefixes: string[]; lens: (number | null)[]; sat: boolean[]; negs: number[]; shape: TrajectoryShape }
  | { ok: false; kind: TrajectoryInputError['kind']; file: string; line?: number; field?: string; reason: string };

export function failureResult(e: TrajectoryInputError): ItemResult {
  const r: ItemResult = { ok: false, kind: e.kind, file: e.source.file, reason: e.reason };
  if (e.source.line !== undefined) r.line = e.source.line;
  if (e.field !== undefined) r.field = e.field;
  return r;
}

export function resultError(r: Extract<ItemResult, { ok: false }>): TrajectoryInputError {
  return new TrajectoryInputError(r.kind, r.line !== undefined ? { file: r.file, line: r.line } : { file: r.file }, r.reason, r.field);
}

export function mineItemSync(item: ReadItem, opts: MineOptions): ItemResult {
  if (!item.ok) return failureResult(item.error);
  let samples;
  try {
    samples = mineTrajectorySync(item.trajectory, opts);
  } catch (e) {
    if (!(e instanceof UnencodableTextError)) throw e;
    return failureResult(new TrajectoryInputError('dropped', item.source, e.message, 'result (reasoning after a browse)'));
  }
  const r: ItemResult = {
    ok: true,
    file: item.source.file,
    prefixes: samples.map(sampleJsonPrefix),
    lens: samples.map((s) => s.reasoning_len),
    sat: samples.map((s) => s.satisfied),
    negs: samples.map((s) => s.neg_id.length),
    shape: trajectoryShape(item.trajectory),
  };
  if (item.source.line !== undefined) r.line = item.source.line;
  return r;
}
