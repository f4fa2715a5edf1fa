/**
 * The SentencePiece (unigram) tokenizer of Universal Sentence Encoder lite, reproducing the
 * tokenisation of the USE JavaScript packages id for id (Viterbi over the vocabulary's log
 * probabilities, with their tie-breaking and unknown-character handling), so the frozen model sees
 * exactly the inputs it was exported for.
 */
export type Vocabulary = Array<[string, number]>;

const SEPARATOR = '\u2581';
// The first six entries (unknown, <s>, </s>, extra ids) are never matched as pieces.
const RESERVED = 6;

interface TrieNode {
  children: Map<string, TrieNode>;
  /** Vocabulary index when a piece ends here, else -1. */
  index: number;
  score: number;
  /** Length of the piece in code points. */
  length: number;
}

function newNode(length: number): TrieNode {
  return { children: new Map(), index: -1, score: 0, length };
}

export function normaliseForUse(text: string): string {
  const n = text.normalize('NFKC');
  return n.length > 0 ? SEPARATOR + n.replace(/ /g, SEPARATOR) : n;
}

export class SentencePieceTokenizer {
  private readonly root = newNode(0);

  constructor(private readonly vocabulary: Vocabulary) {
    for (let i = RESERVED; i < vocabulary.length; i++) {
      let node = this.root;
      let len = 0;
      for (const ch of vocabulary[i][0]) {
        len++;
        let next = node.children.get(ch);
        if (!next) {
          next = newNode(len);
          node.children.set(ch, next);
        }
        node = next;
      }
      node.index = i;
      node.score = vocabulary[i][1];
    }
  }

  encode(text: string): number[] {
    const symbols = Array.from(normaliseForUse(text));
    const n = symbols.length;
    // best[e], word[e]: best score of a segmentation of symbols[0..e) and the id of its last piece.
    const best = new Float64Array(n + 1);
    const word = new Int32Array(n + 1);
    // Lattice edges grouped by end position, in increasing start order (the reference iterates
    // starts that way and lets a later start win a tie).
    const edges: Array<Array<{ start: number; len: number; score: number; index: number }>> = Array.from({ length: n + 1 }, () => []);
    for (let i = 0; i < n; i++) {
      let node = this.root.children.get(symbols[i]);
      let matched = false;
      for (let j = i; j < n && node; j++) {
        if (node.index >= 0) {
          edges[i + node.length].push({ start: i, len: node.length, score: node.score, index: node.index });
          matched = true;
        }
        node = j + 1 < n ? node.children.get(symbols[j + 1]) : undefined;
      }
      // An unmatched character becomes the unknown piece (id 0, score 0).
      if (!matched) edges[i + 1].push({ start: i, len: 1, score: 0, index: 0 });
    }
    for (let e = 0; e <= n; e++) {
      const list = edges[e];
      // Edges were pushed in increasing start order already.
      for (const edge of list) {
        const s = edge.score + best[e - edge.len];
        if (best[e] === 0 || s >= best[e]) {
          best[e] = s;
          word[e] = edge.index;
        }
      }
    }
    const reversed: number[] = [];
    let pos = n;
    while (pos > 0) {
      reversed.push(word[pos]);
      // The reference steps back by the piece's UTF-16 length; identical except for astral characters.
      pos -= this.vocabulary[word[pos]][0].length;
    }
    const out: number[] = [];
    let previousUnknown = false;
    for (const id of reversed) {
      if (!(previousUnknown && id === 0)) out.push(id);
      previousUnknown = id === 0;
    }
    return out.reverse();
  }
}
