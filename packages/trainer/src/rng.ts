import { mulberry32 } from '@lrat/core';

/**
 * Seeded PRNG (mulberry32). Every random choice of a training step is drawn from a generator
 * derived from (seed, epoch, step), so a resumed run replays the same choices without having to
 * store generator state.
 */
export class Rng {
  /** Uniform in [0, 1): @lrat/core's mulberry32 stream for this seed. */
  readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  static derive(...parts: number[]): Rng {
    // FNV-1a over the parts' 32-bit words, so nearby seeds give unrelated streams.
    let h = 0x811c9dc5;
    for (const p of parts) {
      let x = p >>> 0;
      for (let i = 0; i < 4; i++) {
        h ^= x & 0xff;
        h = Math.imul(h, 0x01000193) >>> 0;
        x >>>= 8;
      }
    }
    return new Rng(h);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  /** k distinct elements, in draw order (Python's random.sample semantics). */
  sample<T>(items: readonly T[], k: number): T[] {
    if (k > items.length) throw new Error(`cannot sample ${k} of ${items.length} items`);
    const pool = items.slice();
    const out: T[] = [];
    for (let i = 0; i < k; i++) {
      const j = i + this.int(pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
      out.push(pool[i]);
    }
    return out;
  }
}
