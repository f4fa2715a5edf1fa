import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { loadBeirDataset } from './dataset';
import { openFileDocumentStore } from './file-document-store';

// This file's temporary folder, removed when it ends.
const tmpRoot = mkdtempSync(path.join(tmpdir(), 'fds-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

describe('openFileDocumentStore', () => {
  it('serves the same documents as the in-memory corpus without holding the texts', async () => {
    const dir = path.resolve(__dirname, '../../../data/multihop-wiki');
    const corpus = await (await loadBeirDataset(dir)).loadCorpus();
    const store = await openFileDocumentStore(path.join(dir, 'corpus.jsonl'));
    try {
      expect(store.size).toBe(corpus.size);
      const ids = [...corpus.keys()];
      for (const id of [ids[0], ids[1234], ids[ids.length - 1]]) expect(await store.get(id)).toEqual(corpus.get(id));
      expect(await store.get('nope')).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('handles numeric ids, escaped ids, no trailing newline, and names file and line of a bad document', async () => {
    const file = path.join(tmpRoot, 'corpus.jsonl');
    writeFileSync(file, '{"_id": 7, "text": "seven"}\n\n{"_id": "a\\"b", "title": "T", "text": "quoted"}\n{"_id": "bad", "text": 3}');
    const store = await openFileDocumentStore(file);
    try {
      expect(await store.get('7')).toEqual({ docid: '7', text: 'seven' });
      expect(await store.get('a"b')).toEqual({ docid: 'a"b', title: 'T', text: 'quoted' });
      await expect(store.get('bad')).rejects.toThrow(/corpus\.jsonl:4: field "text"/);
    } finally {
      await store.close();
    }
  });
});
