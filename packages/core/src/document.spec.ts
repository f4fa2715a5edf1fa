import { documentText, type Doc } from './document';

describe('documentText', () => {
  it('joins title and body with one space, and is the body alone without a title', () => {
    const docs: Doc[] = [
      { docid: 'd1', title: 'Paris', text: 'is the capital.' },
      { docid: 'd2', text: 'no title' },
      { docid: 'd3', title: '', text: 'empty title' },
    ];
    expect(docs.map(documentText)).toEqual(['Paris is the capital.', 'no title', 'empty title']);
  });
});
