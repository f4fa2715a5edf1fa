// Public API of @lrat/miners.
export * from './mine';
export * from './mine-all';
export { mineSamples, type IssueCounts, type MinedSamples, type MineSamplesOptions } from './mine-samples';
export * from './corpus';
export * from './tokenizers';
export * from './judges';
export * from './sample-json';
export * from './sample-writer';
export * from './mine-item';
export * from './mine-to-file';
export { runWorkerPool, WorkerFatalError, type TaskResult } from './worker-pool';
export type { WorkerInit, WorkerTask, WorkerReply } from './worker-protocol';
export type { LratSample, TrainingSample } from '@lrat/core';
