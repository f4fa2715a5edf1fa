/**
 * Learning rate at (0-based) step: linear warmup over `warmupSteps`, then linear decay to 0 at
 * `totalSteps` (the Hugging Face "linear" schedule the official recipe uses).
 */
export function learningRate(step: number, peak: number, warmupSteps: number, totalSteps: number): number {
  if (warmupSteps > 0 && step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
  const rest = totalSteps - warmupSteps;
  if (rest <= 0) return peak;
  return Math.max(0, (peak * (totalSteps - step)) / rest);
}
