import * as fs from 'fs';
import * as path from 'path';
import { Bm25Index, DenseIndex, saveIndex } from '@lrat/indexer';
import { HashingEmbedder } from '@lrat/indexer/testing';
import { createIndexLoader, openIndexBackend } from './index-backend';
import { SearchService } from './search-service';
import { whitespaceSnippeter } from '@lrat/core';
import { removeTmpDirs, tmpDir } from './testing/fixtures';

afterAll(removeTmpDirs);

const docs = [
  { docid: 'p1', title: 'Paris', text: 'Paris is the capital and most populous city of France.' },
  { docid: 'b1', title: 'Berlin', text: 'Berlin is the capital and largest city of Germany.' },
  { docid: 'e1', title: 'Eiffel Tower', text: 'The Eiffel Tower is a wrought-iron lattice tower in Paris.' },
];

async function fixture() {
  const dir = tmpDir();
  const corpus = path.join(dir, 'corpus.jsonl');
  fs.writeFileSync(corpus, docs.map((d) => JSON.stringify({ _id: d.docid, title: d.title, text: d.text })).join('\n') + '\n');
  await saveIndex(path.join(dir, 'idx-a'), Bm25Index.build(docs));
  await saveIndex(path.join(dir, 'idx-b'), Bm25Index.build(docs.slice(0, 2)));
  return { dir, corpus };
}

describe('index backend (@lrat/indexer BM25 index + BEIR corpus)', () => {
  it('searches a saved index and returns the indexed text (title and body) as the document', async () => {
    const { dir, corpus } = await fixture();
    const backend = await openIndexBackend({ index: path.join(dir, 'idx-a'), corpus });
    expect(backend.kind).toBe('bm25');
    expect(backend.version).toMatch(/\S/);
    const hits = await backend.search('capital of Germany', 2);
    expect(hits[0].docid).toBe('b1');
    expect(backend.getDocument('p1')).toBe('Paris Paris is the capital and most populous city of France.');
    expect(backend.getDocument('zz')).toBeUndefined();
  });

  it('hot-swaps to another index directory, reusing the unchanged corpus', async () => {
    const { dir, corpus } = await fixture();
    const loader = createIndexLoader();
    const first = await loader({ index: path.join(dir, 'idx-a'), corpus });
    const service = new SearchService(first, { snippeter: whitespaceSnippeter(3), source: { index: path.join(dir, 'idx-a'), corpus }, loader });
    expect((await service.search('Eiffel tower', 5, { transport: 'http' })).results[0]).toMatchObject({ docid: 'e1', snippet: 'Eiffel Tower The' });
    const r = await service.reload({ index: path.join(dir, 'idx-b') });
    expect(r.previous).toBe(first.version);
    expect(r.version).not.toBe(first.version);
    expect((await service.search('Eiffel tower', 5, { transport: 'http' })).results.map((h) => h.docid)).not.toContain('e1');
    await expect(service.reload({ index: path.join(dir, 'missing') })).rejects.toThrow();
    expect(service.version).toBe(r.version);
  });

  it('refuses an index built from another corpus, naming the mismatch, at start and on reload', async () => {
    const { dir, corpus } = await fixture();
    const other = path.join(dir, 'other.jsonl');
    fs.writeFileSync(other, ['x1', 'x2', 'p1'].map((id) => JSON.stringify({ _id: id, text: `doc ${id}` })).join('\n') + '\n');
    await expect(openIndexBackend({ index: path.join(dir, 'idx-a'), corpus: other })).rejects.toThrow(
      /index .*idx-a holds 3 documents, 2 of which are not in corpus .*other\.jsonl \(e\.g\. "b1", "e1"\): it was built from another corpus/,
    );
    const embedder = new HashingEmbedder(16);
    await saveIndex(path.join(dir, 'idx-dense'), await DenseIndex.build(docs, embedder), { encoder: { id: embedder.id, version: embedder.version, path: '/none' } });
    await expect(openIndexBackend({ index: path.join(dir, 'idx-dense'), corpus: other }, { loadEmbedder: async () => embedder })).rejects.toThrow(/2 of which are not in corpus/);

    const loader = createIndexLoader();
    const service = new SearchService(await loader({ index: path.join(dir, 'idx-a'), corpus }), { snippeter: whitespaceSnippeter(3), source: { index: path.join(dir, 'idx-a'), corpus }, loader });
    const before = service.version;
    await expect(service.reload({ corpus: other })).rejects.toMatchObject({ statusCode: 400, message: expect.stringMatching(/^reload failed, still serving .*: index .*holds 3 documents, 2 of which are not in corpus/) });
    expect(service.version).toBe(before);
  });
});
