/**
 * How many texts one taped forward/backward may hold on the wasm backend, whose heap is capped at
 * 4 GB: past it the step dies with "memory access out of bounds". train() uses this to turn gradient
 * caching on by itself (same gradients, one micro-batch's activations at a time) when a side's
 * batch would not fit, and leaves batches that fit as they are.
 */

/** Activation bytes train() lets one micro-batch hold on wasm: a quarter of the heap, the rest for weights, gradients, optimizer state and fragmentation. */
export const WASM_TAPE_BUDGET = 2 ** 30;

/** One transformer layer's shape as far as its activations go. */
export interface TapeLayerShape {
  width: number;
  heads: number;
}

/**
 * Estimated bytes the tape keeps for one text of `tokens` tokens through these (trained) layers:
 * per token and layer, 27 floats per unit of width plus 54 per attention head and key position.
 * Fitted to the wasm heap's high-water mark after one contrastive step on this machine: USE-lite
 * (2 layers, 512 wide, 4 heads) ≈ 40 MB and a MiniLM-shaped BERT (6 layers, 384 wide, 12 heads)
 * ≈ 270 MB per 128-token text, both with every weight trained.
 */
export function transformerTapeBytes(layers: readonly TapeLayerShape[], tokens: number): number {
  let floats = 0;
  for (const l of layers) floats += tokens * (27 * l.width + 54 * l.heads * tokens);
  return 4 * floats;
}

/**
 * Texts per micro-batch for one side of a step: 0 (no gradient caching) when all of them fit the
 * budget together, else as many of the largest as fit (at least 1).
 */
export function autoMicroBatch(bytesPerText: readonly number[], budget = WASM_TAPE_BUDGET): number {
  let total = 0;
  let largest = 0;
  for (const b of bytesPerText) {
    total += b;
    if (b > largest) largest = b;
  }
  if (total <= budget) return 0;
  return Math.max(1, Math.floor(budget / largest));
}

/** True for the errors a wasm module throws when its heap cannot grow any further. */
export function isOutOfMemory(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return /memory access out of bounds|out of memory|Cannot enlarge memory|Array buffer allocation failed/i.test(message);
}
