// Lucene stores a document's length in one byte (SmallFloat.intToByte4) and BM25 scores with the
// decoded, lossy length. Anserini's reference numbers come from those lengths, so we use them too.

function longToInt4(i: number): number {
  const numBits = i === 0 ? 0 : Math.floor(Math.log2(i)) + 1;
  if (numBits < 4) return i;
  const shift = numBits - 4;
  let encoded = Math.floor(i / 2 ** shift);
  encoded &= 0x07;
  encoded |= (shift + 1) << 3;
  return encoded;
}

function int4ToLong(i: number): number {
  const bits = i & 0x07;
  const shift = (i >>> 3) - 1;
  return shift === -1 ? bits : (bits | 0x08) * 2 ** shift;
}

const MAX_INT4 = longToInt4(2 ** 31 - 1);
const NUM_FREE_VALUES = 255 - MAX_INT4;

/** SmallFloat.intToByte4: exact below 24, then 4 significant bits. */
export function intToByte4(i: number): number {
  if (i < 0 || !Number.isInteger(i)) throw new RangeError(`document length must be a non-negative integer, got ${i}`);
  return i < NUM_FREE_VALUES ? i : NUM_FREE_VALUES + longToInt4(i - NUM_FREE_VALUES);
}

/** SmallFloat.byte4ToInt. */
export function byte4ToInt(b: number): number {
  return b < NUM_FREE_VALUES ? b : Math.min(NUM_FREE_VALUES + int4ToLong(b - NUM_FREE_VALUES), 2 ** 31 - 1);
}
