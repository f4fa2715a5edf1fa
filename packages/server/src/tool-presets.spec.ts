import { fullTextSnippeter, whitespaceSnippeter } from '@lrat/core';
import { searchR1Document } from './tool-presets';

// Passages split as BrowseComp-Plus's Search-R1 server splits them (search_r1_server.py).
describe('searchR1Document', () => {
  it('reads the title from front matter, else from the first line, quotes stripped', () => {
    const full = fullTextSnippeter();
    // Their `lines[1].strip('"')[7:]` strips quotes before cutting "title: ", so a quoted title keeps its opening quote.
    expect(searchR1Document('---\ntitle: "Paris"\nParis is the capital.\nMore.', full)).toEqual({ title: '"Paris', text: 'Paris is the capital.\nMore.' });
    expect(searchR1Document('---\ntitle: Paris\nParis is the capital.', full)).toEqual({ title: 'Paris', text: 'Paris is the capital.' });
    expect(searchR1Document('"Rome"\nRome is old.', full)).toEqual({ title: 'Rome', text: 'Rome is old.' });
    expect(searchR1Document('Only a title', full)).toEqual({ title: 'Only a title', text: '' });
  });

  it('cuts the text (not the title) to the snippet length', () => {
    expect(searchR1Document('Title words here\none two three four five', whitespaceSnippeter(3))).toEqual({ title: 'Title words here', text: 'one two three' });
  });
});
