import { documentText, type Doc } from '@lrat/core';
import { inverseClozePairs, sentences } from './inverse-cloze';

const docs: Doc[] = [
  { docid: 'a', title: 'Alpha', text: 'Alpha is the first letter of the Greek alphabet. It is short. Alpha came from the Phoenician letter aleph!' },
  { docid: 'b', title: 'Bravo', text: 'Too short. Still short?' },
  { docid: 'c', text: 'Charlie was a code word used by radio operators in the war years.' },
  { docid: 'd', title: 'Delta', text: 'A delta is a landform at the mouth of a river where it meets the sea.' },
  { docid: 'e', title: 'Echo', text: 'An echo is a reflection of sound that arrives at the listener after a delay.' },
];

describe('inverse-cloze pairs', () => {
  it('splits a body into sentences at terminal punctuation', () => {
    expect(sentences('One two. Three four! Five six? Seven')).toEqual(['One two.', 'Three four!', 'Five six?', 'Seven']);
    expect(sentences('  ')).toEqual([]);
  });

  it('queries with a long-enough sentence of the positive passage, which is indexed text, against distinct other passages', () => {
    const pairs = inverseClozePairs(docs, { count: 40, seed: 3, negatives: 3 });
    expect(pairs).toHaveLength(40);
    const byId = new Map(docs.map((d) => [d.docid, d]));
    for (const p of pairs) {
      const doc = byId.get(p.pos_id[0]) as Doc;
      expect(p.pos).toEqual([documentText(doc)]);
      expect(sentences(doc.text)).toContain(p.query);
      expect(p.query.split(' ').length).toBeGreaterThanOrEqual(6);
      expect(p.pos_id[0]).not.toBe('b');
      expect(new Set([...p.neg_id, p.pos_id[0]]).size).toBe(4);
      expect(p.neg).toEqual(p.neg_id.map((id) => documentText(byId.get(id) as Doc)));
      expect(p).toMatchObject({ reweight_rate: 1, satisfied: true, reasoning_len: null });
    }
    // Every usable passage and both of Alpha's long sentences get drawn; the short one never.
    expect(new Set(pairs.map((p) => p.pos_id[0]))).toEqual(new Set(['a', 'c', 'd', 'e']));
    expect(new Set(pairs.filter((p) => p.pos_id[0] === 'a').map((p) => p.query))).toEqual(new Set(['Alpha is the first letter of the Greek alphabet.', 'Alpha came from the Phoenician letter aleph!']));
  });

  it('is reproducible from its seed and changes with it', () => {
    expect(inverseClozePairs(docs, { count: 10, seed: 1, negatives: 2 })).toEqual(inverseClozePairs(docs, { count: 10, seed: 1, negatives: 2 }));
    expect(inverseClozePairs(docs, { count: 10, seed: 2, negatives: 2 })).not.toEqual(inverseClozePairs(docs, { count: 10, seed: 1, negatives: 2 }));
    expect(inverseClozePairs(docs, { count: 0, seed: 1 })).toEqual([]);
  });

  it('refuses what it cannot draw from', () => {
    expect(() => inverseClozePairs(docs, { count: 2, seed: 1, negatives: 5 })).toThrow(/5 negatives need at least 6 passages, the corpus has 5/);
    expect(() => inverseClozePairs([docs[1]], { count: 1, seed: 1, negatives: 0 })).toThrow(/no passage among 1 has a sentence of 6 words or more/);
    expect(() => inverseClozePairs(docs, { count: -1, seed: 1 })).toThrow(/count must be a non-negative integer/);
  });
});
