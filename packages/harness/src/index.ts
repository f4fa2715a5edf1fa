// Public API of @lrat/harness.
export { createProgress, formatSeconds } from './progress';
export type { Progress, ProgressOptions } from './progress';
export * from './report';
