import { countWhitespaceTokens, whitespaceTokens } from './whitespace-tokens';

describe('whitespace tokens (Python str.split())', () => {
  const ws = '\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000';

  it('breaks on every str.isspace() code point, and only on those', () => {
    // U+200B and U+FEFF are not whitespace to Python (JavaScript's \s counts U+FEFF).
    expect(countWhitespaceTokens(`${ws}a${ws}b\u200bc\ufeffd${ws}`)).toBe(2);
    expect(whitespaceTokens(`${ws}a${ws}b\u200bc\ufeffd${ws}`)).toEqual(['a', 'b\u200bc\ufeffd']);
    expect(whitespaceTokens(`a\x1cb  c\u3000`)).toEqual(['a', 'b', 'c']);
    expect(whitespaceTokens(' a\u00a0b\u001fc\n\nd ')).toEqual(['a', 'b', 'c', 'd']);
  });

  it('gives no token for empty or all-whitespace text', () => {
    expect(countWhitespaceTokens('')).toBe(0);
    expect(whitespaceTokens('')).toEqual([]);
    expect(whitespaceTokens(ws)).toEqual([]);
  });

  it('counts exactly the tokens it splits', () => {
    for (const t of ['one', ' two  words ', 'x\u2028y\u3000z', `${ws}${ws}`, 'a\ufeff b']) expect(countWhitespaceTokens(t)).toBe(whitespaceTokens(t).length);
  });
});
