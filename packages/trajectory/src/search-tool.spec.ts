import { SnippetCache, whitespaceSnippeter, type Doc, type Snippeter } from '@lrat/core';
import { TrajectoryRecorder } from './recorder';
import { TrajectorySchema, type Step } from './schema';
import { createSearchTool, inMemoryDocumentStore, type ToolSearcher } from './search-tool';

// The one search tool and its recorder, on a few documents and a term-count searcher written here.

const docs: Doc[] = [
  { docid: 'd1', title: 'Paris', text: 'Paris is the capital and most populous city of France.' },
  { docid: 'd2', title: 'Lyon', text: 'Lyon is a city in France, east of the Massif Central.' },
  { docid: 'd3', text: 'The Eiffel Tower is a wrought-iron lattice tower in Paris, France.' },
];

/** Scores a document by how many query terms it contains; ids the store does not hold can be injected. */
function termSearcher(extra: { docid: string; score: number }[] = []): ToolSearcher & { calls: [string, number][] } {
  const calls: [string, number][] = [];
  return {
    calls,
    async search(query, k) {
      calls.push([query, k]);
      const terms = query.toLowerCase().split(/\s+/);
      const scored = docs
        .map((d) => ({ docid: d.docid, score: terms.filter((t) => `${d.title ?? ''} ${d.text}`.toLowerCase().includes(t)).length }))
        .filter((h) => h.score > 0)
        .sort((a, b) => b.score - a.score || a.docid.localeCompare(b.docid));
      return [...scored, ...extra].slice(0, k);
    },
  };
}

describe('createSearchTool', () => {
  it('returns the top k with ranks and snippets of title + body, and full documents', async () => {
    const tool = createSearchTool({ searcher: termSearcher(), documents: inMemoryDocumentStore(docs), k: 2, snippets: whitespaceSnippeter(4), indexName: 'terms' });
    const hits = await tool.search('paris france');
    expect(hits).toEqual([
      { docid: 'd1', score: 2, rank: 1, snippet: 'Paris Paris is the', title: 'Paris' },
      { docid: 'd3', score: 2, rank: 2, snippet: 'The Eiffel Tower is' },
    ]);
    expect(await tool.getDocument('d2')).toEqual({ docid: 'd2', title: 'Lyon', text: 'Lyon Lyon is a city in France, east of the Massif Central.' });
    expect(await tool.getDocument('d3')).toEqual({ docid: 'd3', title: '', text: docs[2].text });
    expect(await tool.getDocument('nope')).toBeNull();
  });

  it('defaults to 10 results with 64-token snippets, and a call may ask for another k', async () => {
    const long: Doc = { docid: 'long', text: Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ') };
    const searcher: ToolSearcher = { search: async () => [{ docid: 'long', score: 1 }] };
    const tool = createSearchTool({ searcher, documents: inMemoryDocumentStore([long]) });
    expect(tool.k).toBe(10);
    expect((await tool.search('w1'))[0].snippet.split(' ')).toHaveLength(64);
    const s = termSearcher();
    const three = createSearchTool({ searcher: s, documents: inMemoryDocumentStore(docs), k: 1 });
    expect(await three.search('france', 3)).toHaveLength(3);
    expect(await three.search('france')).toHaveLength(1);
    expect(s.calls).toEqual([
      ['france', 3],
      ['france', 1],
    ]);
    await expect(three.search('france', 0)).rejects.toThrow(/k must be > 0/);
    expect(() => createSearchTool({ searcher: s, documents: inMemoryDocumentStore(docs), k: 0 })).toThrow(/k must be > 0/);
  });

  it('shows a hit the store does not hold, without a snippet, and never more than k', async () => {
    const tool = createSearchTool({ searcher: termSearcher([{ docid: 'ghost', score: 0.5 }, { docid: 'ghost2', score: 0.1 }]), documents: inMemoryDocumentStore(docs), k: 4 });
    const hits = await tool.search('lyon');
    expect(hits.map((h) => [h.docid, h.rank, h.snippet])).toEqual([
      ['d2', 1, 'Lyon Lyon is a city in France, east of the Massif Central.'],
      ['ghost', 2, ''],
      ['ghost2', 3, ''],
    ]);
  });

  it('cuts each document once with a SnippetCache, and reads an asynchronous store', async () => {
    let cuts = 0;
    const counting: Snippeter = { tokenizer: 'whitespace', maxTokens: 2, snippet: (t) => (cuts++, t.split(' ').slice(0, 2).join(' ')) };
    const store = { get: async (id: string) => docs.find((d) => d.docid === id) };
    const tool = createSearchTool({ searcher: termSearcher(), documents: store, snippets: new SnippetCache(counting) });
    const first = await tool.search('france');
    expect(await tool.search('france')).toEqual(first);
    expect(first.map((h) => h.snippet)).toEqual(['Paris Paris', 'Lyon Lyon', 'The Eiffel']);
    expect(cuts).toBe(3);
  });
});

describe('TrajectoryRecorder', () => {
  const tool = createSearchTool({ searcher: termSearcher(), documents: inMemoryDocumentStore(docs), k: 2, snippets: whitespaceSnippeter(3), indexName: 'terms' });

  it('records every call as it happened, in the trajectory schema', async () => {
    const rec = new TrajectoryRecorder(tool);
    expect(rec.k).toBe(2);
    expect(rec.indexName).toBe('terms');
    const hits = await rec.search('capital france');
    rec.reason('d1 names the capital.');
    rec.reason('   ');
    expect(await rec.getDocument('d1')).toMatchObject({ docid: 'd1' });
    expect(await rec.getDocument('nope')).toBeNull();
    rec.other('visit_web', 'unknown tool');
    rec.answer('Paris');
    const t = rec.trajectory({ id: 't1', question: 'capital of France?', answer: 'Paris' });
    expect(TrajectorySchema.parse(t)).toEqual(t);
    expect(t.steps).toEqual([
      { type: 'search', query: 'capital france', results: hits.map((h) => ({ docid: h.docid, rank: h.rank, score: h.score, snippet: h.snippet })), index: 'terms' },
      { type: 'reasoning', text: 'd1 names the capital.' },
      // Opening an unknown id is no browse.
      { type: 'browse', docid: 'd1', tool: 'get_document' },
      { type: 'other', tool: 'visit_web', text: 'unknown tool' },
      { type: 'answer', text: 'Paris' },
    ]);
    expect(t.finalAnswer).toBe('Paris');
    expect([rec.searchCalls, rec.browseCalls]).toEqual([1, 2]);
  });

  it('sends each call, with the reasoning that came with it, to onSteps at once, stamped with the time', async () => {
    const batches: Step[][] = [];
    const at = new Date('2026-01-02T03:04:05.000Z');
    const rec = new TrajectoryRecorder(tool, { onSteps: (s) => batches.push(s), now: () => at });
    await rec.search('lyon', 1, { reasoning: 'try Lyon' });
    await rec.getDocument('d2', { reasoning: '' });
    await rec.getDocument('nope', { reasoning: 'maybe it exists' });
    const timestamp = at.toISOString();
    expect(batches).toEqual([
      [
        { type: 'reasoning', text: 'try Lyon', timestamp },
        { type: 'search', query: 'lyon', results: [{ docid: 'd2', rank: 1, score: 1, snippet: 'Lyon Lyon is' }], index: 'terms', timestamp },
      ],
      [{ type: 'browse', docid: 'd2', tool: 'get_document', timestamp }],
      [{ type: 'reasoning', text: 'maybe it exists', timestamp }],
    ]);
  });

  it('records nothing for a search that fails, not even its reasoning', async () => {
    const failing = createSearchTool({ searcher: { search: async () => Promise.reject(new Error('index gone')) }, documents: inMemoryDocumentStore(docs) });
    const batches: Step[][] = [];
    const rec = new TrajectoryRecorder(failing, { onSteps: (s) => batches.push(s) });
    await expect(rec.search('x', undefined, { reasoning: 'thinking' })).rejects.toThrow('index gone');
    expect(batches).toEqual([]);
    expect(rec.steps).toEqual([]);
  });
});
