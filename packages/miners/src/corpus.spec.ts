import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { loadMinerCorpus } from './corpus';

describe('corpus', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'lrat-corpus-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads {docid,text} with Python str() ids, BEIR {_id,title,text}, blank lines and every line ending', async () => {
    const f = path.join(dir, 'c.jsonl');
    writeFileSync(
      f,
      '{"docid": 7, "text": "seven"}\r\n\n   \r{"docid": 1.0, "text": "one point oh"}\r{"docid": "a", "text": "first"}\n' +
        '{"_id": "b", "title": "Title", "text": "body"}\n{"_id": "c", "title": "", "text": "untitled"}\n{"docid": "a", "text": "later wins"}\n{"docid": true, "text": "T"}',
    );
    const c = await loadMinerCorpus(f);
    expect(c.get('7')).toBe('seven');
    expect(c.get('1.0')).toBe('one point oh');
    expect(c.get('a')).toBe('later wins');
    expect(c.get('b')).toBe('Title body');
    expect(c.get('c')).toBe('untitled');
    expect(c.get('True')).toBe('T');
    expect(c.size).toBe(6);
  });

  it('reports the line of a bad record in a file', async () => {
    const f = path.join(dir, 'bad.jsonl');
    writeFileSync(f, '{"docid": "1", "text": "x"}\n\n{"docid": "2", "text": }\n');
    await expect(loadMinerCorpus(f)).rejects.toThrow(/bad\.jsonl:3: not valid JSON/);
  });
});
