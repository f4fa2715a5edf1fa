import { createTokenizer, loadQwen3Tokenizer, whitespaceTokenizer } from './tokenizers';

describe('tokenizers', () => {
  it('whitespace = len(str.split())', () => {
    expect(whitespaceTokenizer.count('  a b\u00a0c\u2028d\x1ce  ')).toBe(5);
    expect(whitespaceTokenizer.count('')).toBe(0);
    expect(whitespaceTokenizer.count('\u200bzero-width\u200bjoins')).toBe(1);
  });

  it('qwen3 counts known strings (no special tokens) and loads once', async () => {
    const tok = await createTokenizer('qwen3');
    expect(tok.count('Hello world, this is a test.')).toBe(8);
    expect(tok.count('')).toBe(0);
    expect(tok.count('不是相关的内容')).toBe(3);
    expect(await loadQwen3Tokenizer()).toBe(tok);
  });

  it('rejects unknown names', async () => {
    await expect(createTokenizer('bert')).rejects.toThrow(/unknown tokenizer/);
  });
});
