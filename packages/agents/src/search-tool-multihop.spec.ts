import * as path from 'path';
import { loadBeirDataset } from './dataset';
import { InMemoryBm25Searcher } from './testing/bm25-searcher';
import { TrajectorySchema, createSearchTool, inMemoryDocumentStore, TrajectoryRecorder } from '@lrat/trajectory';

// The agents' search tool (@lrat/trajectory) over the multihop corpus with the agents' BM25 double.
const MULTIHOP = path.resolve(__dirname, '../../../data/multihop-wiki');

describe('search tool', () => {
  it('returns top-10 hits with 64-token snippets, full text on browse, and records every call', async () => {
    const ds = await loadBeirDataset(MULTIHOP);
    const corpus = await ds.loadCorpus();
    const docs = [...corpus.values()].slice(0, 2000);
    const tool = createSearchTool({ searcher: new InMemoryBm25Searcher(docs), documents: inMemoryDocumentStore(docs), indexName: 'bm25-test' });
    const rec = new TrajectoryRecorder(tool);
    const hits = await rec.search('Socialist Revolutionary Party Russia');
    expect(hits).toHaveLength(10);
    expect(hits.map((h) => h.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(hits[0].docid).toBe('hp_1269c490d9ee');
    for (const h of hits) expect(h.snippet.split(' ').length).toBeLessThanOrEqual(64);
    expect(hits[0].snippet.startsWith('Socialist Revolutionary Party The Socialist')).toBe(true);
    const doc = await rec.getDocument('hp_1269c490d9ee');
    expect(doc?.text.length).toBeGreaterThan(hits[0].snippet.length);
    expect(await rec.getDocument('nope')).toBeNull();
    rec.reason('The party is relevant.');
    rec.answer('October 1922');
    const t = rec.trajectory({ id: 't1', question: 'q' });
    expect(TrajectorySchema.parse(t)).toEqual(t);
    // Opening an unknown id ("nope") is no browse.
    expect(t.steps.map((s) => s.type)).toEqual(['search', 'browse', 'reasoning', 'answer']);
    expect(t.steps[0]).toMatchObject({ type: 'search', query: 'Socialist Revolutionary Party Russia', index: 'bm25-test' });
    expect(t.finalAnswer).toBe('October 1922');
    expect(rec.searchCalls).toBe(1);
    expect(rec.browseCalls).toBe(2);
  });
});
