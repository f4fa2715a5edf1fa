import * as fs from 'fs';
import * as path from 'path';
import { codecSnippeter, safeCut, SnippetCache, whitespaceSnippeter } from './snippet';
import { loadQwen3Codec, type TokenCodec } from './qwen3-codec';

const corpus = path.resolve(__dirname, '../../../data/multihop-wiki/corpus.jsonl');

describe('whitespace snippets', () => {
  it('keeps the first N whitespace tokens, joined by one space', () => {
    const s = whitespaceSnippeter(3);
    expect(s.snippet('a  b\tc\nd e')).toBe('a b c');
    expect(s.snippet('a\u00a0b\x1cc\x85d')).toBe('a b c'); // Python str.split() whitespace
  });
  it('does not split at U+FEFF or U+200B, which Python does not count as whitespace', () => {
    expect(whitespaceSnippeter(2).snippet('a\ufeffb c\u200bd e')).toBe('a\ufeffb c\u200bd');
  });
  it('returns a short document unchanged', () => {
    expect(whitespaceSnippeter(5).snippet('  one two\nthree ')).toBe('  one two\nthree ');
  });
  it('rejects a non-positive length', () => {
    expect(() => whitespaceSnippeter(0)).toThrow(/positive integer/);
  });
});

describe('codec snippets (Qwen3, as the official search tool)', () => {
  let codec: TokenCodec;
  beforeAll(async () => {
    codec = await loadQwen3Codec();
  });

  // What the official tool does: tokenize the whole text, cut, decode.
  const official = (text: string, n: number) => {
    const ids = codec.encode(text);
    return ids.length > n ? codec.decode(ids.slice(0, n)) : text;
  };

  it('tokenizing a prefix gives the same snippet as tokenizing the whole document', () => {
    const docs = fs
      .readFileSync(corpus, 'utf8')
      .split('\n')
      .slice(0, 400)
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { title: string; text: string })
      .map((d) => `${d.title} ${d.text}`);
    // n = 8 makes the prefix (128 chars) shorter than most documents, so the cut path runs.
    for (const n of [8, 64]) {
      const s = codecSnippeter(codec, n);
      let cut = 0;
      for (const d of docs) {
        expect(s.snippet(d)).toBe(official(d, n));
        if (d.length > 128) cut++;
      }
      expect(cut).toBeGreaterThan(100);
    }
  });

  it('handles text without any safe cut point and short text', () => {
    const s = codecSnippeter(codec, 4);
    const noSpaces = 'x'.repeat(2000);
    expect(s.snippet(noSpaces)).toBe(official(noSpaces, 4));
    expect(s.snippet('Hello world')).toBe('Hello world');
    expect(codec.encode('Hello world, this is a test.')).toHaveLength(8);
  });
});

describe('safeCut', () => {
  it('finds a space after a non-space at or after the position', () => {
    expect(safeCut('ab  cd ef', 3)).toBe(6);
    expect(safeCut('ab cd', 1)).toBe(2);
    expect(safeCut('abcd', 1)).toBe(-1);
  });
});

describe('SnippetCache', () => {
  it('computes a snippet once per doc id and evicts the least recently used', () => {
    let calls = 0;
    const cache = new SnippetCache({ tokenizer: 'whitespace', maxTokens: 1, snippet: (t) => (calls++, t.split(' ')[0]) }, 2);
    expect(cache.get('a', 'x y')).toBe('x');
    expect(cache.get('a', 'x y')).toBe('x');
    cache.get('b', 'p q');
    cache.get('a', 'x y'); // a is now most recent
    cache.get('c', 'r s'); // evicts b
    expect(calls).toBe(3);
    cache.get('b', 'p q');
    expect(calls).toBe(4);
    cache.get('b', 'p q changed'); // same id, new text (a reload over a changed corpus)
    expect(calls).toBe(5);
  });
});
