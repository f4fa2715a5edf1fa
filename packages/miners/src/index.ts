// Public API of @lrat/miners.
export { mineSteps, type MineContext } from './mine';
export * from './mine-all';
export { mineSamples, type IssueCounts, type MinedSamples, type MineSamplesOptions } from './mine-samples';
export * from './corpus';
export { whitespaceTokenizer, createTokenizer, TOKENIZER_NAMES, type Tokenizer, type TokenizerName } from './tokenizers';
export * from './judges';
export { sampleJson } from './sample-json';
export * from './mine-to-file';
export type { LratSample, TrainingSample } from '@lrat/core';
