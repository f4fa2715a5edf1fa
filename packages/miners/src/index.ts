// Public API of @lrat/miners.
export { mineSteps, type MineContext } from './mine';
export { mineTrajectory, mineTrajectorySync, type MineOptions } from './mine-all';
export * from './corpus';
export { whitespaceTokenizer, createTokenizer, TOKENIZER_NAMES, type Tokenizer, type TokenizerName } from './tokenizers';
export * from './judges';
export { sampleJson } from './sample-json';
export * from './mine-to-file';
export type { LratSample, TrainingSample } from '@lrat/core';
export { inverseClozePairs, sentences, type InverseClozeOptions } from './inverse-cloze';
