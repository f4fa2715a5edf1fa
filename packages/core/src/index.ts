// Public API of @lrat/core: the ideas every LRAT stage shares, defined once.
export { createRng, hashString } from './random';
export type { Rng } from './random';
export type { LratSample, TrainingSample } from './training-sample';
