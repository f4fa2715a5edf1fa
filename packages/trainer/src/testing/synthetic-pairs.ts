import type { TrainingSample } from '../groups';
import { Rng } from '../rng';

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa'];

/** Deterministic toy pairs: a query shares words with its positive; negatives are other topics. */
export function syntheticPairs(n: number, seed: number): TrainingSample[] {
  const rng = new Rng(seed);
  const topic = (i: number) => [WORDS[i % WORDS.length], WORDS[(i * 7 + 3) % WORDS.length]];
  const out: TrainingSample[] = [];
  for (let i = 0; i < n; i++) {
    const [a, b] = topic(i);
    const negs = [1, 2, 3].map((d) => topic(i + d * 5).join(' ') + ' report');
    out.push({ query: `${a} ${b}?`, pos: [`${a} and ${b} facts`], neg: rng.sample(negs, 2 + rng.int(2)), reweight_rate: 0.5 + rng.next() });
  }
  return out;
}
