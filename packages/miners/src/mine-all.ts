import { TrajectoryInputError, type ReadItem, type SourceRef, type Trajectory } from '@lrat/trajectory';
import type { Corpus } from './corpus';
import { UnencodableTextError, type Judge } from './judges/judge';
import type { LratSample } from '@lrat/core';
import { judgedTexts, mineSteps } from './mine';
import type { Tokenizer } from './tokenizers';
import { trajectoryShape, type TrajectoryShape } from './yield-check';

// In-process mining with any judge (the path for the LLM judge, and what the bench calls).

export interface MineOptions {
  judge: Judge;
  /** null: reasoning_len is null (and every weight 1.0), as the official builder without a tokenizer. */
  tokenizer: Tokenizer | null;
  corpus: Corpus;
}

/** Mine one trajectory with a synchronous judge (replay, none, rule). */
export function mineTrajectorySync(traj: Trajectory, opts: MineOptions): LratSample[] {
  const judgeSync = opts.judge.judgeSync?.bind(opts.judge);
  if (!judgeSync) throw new Error(`the ${opts.judge.name} judge is asynchronous: use mineTrajectory`);
  const tok = opts.tokenizer;
  return mineSteps(traj, { verdict: (t) => judgeSync(t), length: tok ? (t) => tok.count(t) : () => null, corpus: opts.corpus });
}

/** Mine one trajectory (samples unweighted: weights are a property of the whole run). */
export async function mineTrajectory(traj: Trajectory, opts: MineOptions): Promise<LratSample[]> {
  if (opts.judge.judgeSync) return mineTrajectorySync(traj, opts);
  const texts = judgedTexts(traj);
  const verdicts = texts.length ? await opts.judge.judge(texts) : [];
  const tok = opts.tokenizer;
  return mineSteps(traj, { verdict: (_t, k) => verdicts[k], length: tok ? (t) => tok.count(t) : () => null, corpus: opts.corpus });
}

export type MineAllItem =
  | { ok: true; source: SourceRef | undefined; trajectoryId: string; samples: LratSample[]; shape: TrajectoryShape }
  | { ok: false; error: TrajectoryInputError };

/**
 * Mine a stream of trajectories (or reader items), yielding results in input order while up to
 * `concurrency` trajectories wait on the judge at once. Judge failures reject; input failures are
 * passed through as items.
 */
export async function* mineAll(
  input: AsyncIterable<ReadItem | Trajectory> | Iterable<ReadItem | Trajectory>,
  opts: MineOptions & { concurrency?: number },
): AsyncGenerator<MineAllItem> {
  const window: Promise<MineAllItem>[] = [];
  const limit = Math.max(1, opts.concurrency ?? 16);
  const start = (x: ReadItem | Trajectory): Promise<MineAllItem> => {
    if (!('ok' in x)) return mineTrajectory(x, opts).then((samples) => ({ ok: true, source: undefined, trajectoryId: x.id, samples, shape: trajectoryShape(x) }));
    if (!x.ok) return Promise.resolve({ ok: false, error: x.error });
    return mineTrajectory(x.trajectory, opts).then(
      (samples): MineAllItem => ({ ok: true, source: x.source, trajectoryId: x.trajectory.id, samples, shape: trajectoryShape(x.trajectory) }),
      (e: unknown): MineAllItem => {
        // The official builder drops a trajectory it cannot tokenise; anything else (a judge outage) stops the run.
        if (!(e instanceof UnencodableTextError)) throw e;
        return { ok: false, error: new TrajectoryInputError('dropped', x.source, e.message, 'result (reasoning after a browse)') };
      },
    );
  };
  for await (const x of input as AsyncIterable<ReadItem | Trajectory>) {
    const p = start(x);
    p.catch(() => undefined); // surfaced when awaited in order below
    window.push(p);
    if (window.length >= limit) yield await (window.shift() as Promise<MineAllItem>);
  }
  while (window.length) yield await (window.shift() as Promise<MineAllItem>);
}
