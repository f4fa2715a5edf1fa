// Public API of @lrat/weighting.
export { isCountedLength, median, reasoningWeightParams, reasoningWeight, applyReasoningWeights, LengthAccumulator } from './reasoning-weights';
export type { WeightParams } from './reasoning-weights';
export * from './alternatives';
export * from './stats';
