import type { CorpusDoc, Question } from '@lrat/harness';
import type { Trajectory } from '@lrat/trajectory';
import type { TrainingSample } from './stack';

// The click-trained baseline's samples come from @lrat/harness's human click model; until the harness
// exports it, the ablation job cannot train that baseline and says so.
export function clickSamples(_t: readonly Trajectory[], _q: readonly Question[], _c: ReadonlyMap<string, CorpusDoc>, _seed: number): TrainingSample[] {
  throw new Error('click baseline: @lrat/harness does not export its human click model yet');
}
