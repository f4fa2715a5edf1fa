import { EnglishAnalyzer, removePossessive, tokenize } from './analyzer';
import { byte4ToInt, intToByte4 } from './lucene-norms';

describe('EnglishAnalyzer (Lucene-like)', () => {
  const a = new EnglishAnalyzer();

  it('tokenizes on UAX#29-like word boundaries', () => {
    expect(tokenize("Don't split U.S.A, 3.5 or 1,000; but split il-6 and end."))
      .toEqual(["Don't", 'split', 'U.S.A', '3.5', 'or', '1,000', 'but', 'split', 'il', '6', 'and', 'end']);
    expect(tokenize('protein,5 x')).toEqual(['protein', '5', 'x']);
  });

  it('removes possessives, lowercases, drops Lucene stopwords and Porter-stems', () => {
    expect(removePossessive("John's")).toBe('John');
    expect(removePossessive('John’S')).toBe('John');
    expect(a.analyze("The patient's cells are RUNNING into the walls of it")).toEqual(['patient', 'cell', 'run', 'wall']);
    expect(a.analyze('relational generalizations')).toEqual(['relat', 'gener']);
  });

  it('quantises document lengths exactly like Lucene SmallFloat.intToByte4', () => {
    // Lengths below 24 are exact; above, 4 significant bits (values from Lucene's TestSmallFloat logic).
    for (let i = 0; i < 24; i++) expect(byte4ToInt(intToByte4(i))).toBe(i);
    expect(byte4ToInt(intToByte4(24))).toBe(24);
    expect(byte4ToInt(intToByte4(100))).toBe(96);
    expect(byte4ToInt(intToByte4(1000))).toBe(984);
    for (let i = 0; i < 5000; i += 7) expect(byte4ToInt(intToByte4(i))).toBeLessThanOrEqual(i);
    expect(intToByte4(2 ** 31 - 1)).toBe(255);
  });
});
