import { extractEntities, contentWords } from './text';

describe('text helpers', () => {
  it('extracts entity-like spans without leading question words', () => {
    const e = extractEntities('Which band did Paul McCartney form after "The Beatles" split in the United Kingdom?');
    expect(e).toEqual(expect.arrayContaining(['The Beatles', 'Paul McCartney', 'United Kingdom']));
    expect(e.some((x) => x.startsWith('Which'))).toBe(false);
    expect(contentWords('Were Scott Derrickson and Ed Wood of the same nationality?')).toEqual(['scott', 'derrickson', 'ed', 'wood', 'nationality']);
  });
});
