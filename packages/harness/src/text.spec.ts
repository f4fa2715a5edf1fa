import { whitespaceSnippetTokenizer, loadQwen3SnippetTokenizer, extractEntities, contentWords } from './text';

describe('text helpers', () => {
  it('cuts snippets to N whitespace tokens', () => {
    expect(whitespaceSnippetTokenizer.truncate('one  two\nthree', 5)).toBe('one  two\nthree');
    expect(whitespaceSnippetTokenizer.truncate('one  two\nthree four', 2)).toBe('one two');
  });

  it('cuts with the Qwen3 tokenizer as the official tool does', async () => {
    const qwen = await loadQwen3SnippetTokenizer();
    expect(qwen.id).toBe('qwen3');
    expect(qwen.truncate('Hello world, this is a test.', 3)).toBe('Hello world,');
    expect(qwen.truncate('Hello world, this is a test.', 64)).toBe('Hello world, this is a test.');
  });

  it('extracts entity-like spans without leading question words', () => {
    const e = extractEntities('Which band did Paul McCartney form after "The Beatles" split in the United Kingdom?');
    expect(e).toEqual(expect.arrayContaining(['The Beatles', 'Paul McCartney', 'United Kingdom']));
    expect(e.some((x) => x.startsWith('Which'))).toBe(false);
    expect(contentWords('Were Scott Derrickson and Ed Wood of the same nationality?')).toEqual(['scott', 'derrickson', 'ed', 'wood', 'nationality']);
  });
});
