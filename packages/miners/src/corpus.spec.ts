import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { CorpusError, loadCorpus, parseCorpusLine } from './corpus';

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
    const c = await loadCorpus(f);
    expect(c.get('7')).toBe('seven');
    expect(c.get('1.0')).toBe('one point oh');
    expect(c.get('a')).toBe('later wins');
    expect(c.get('b')).toBe('Title body');
    expect(c.get('c')).toBe('untitled');
    expect(c.get('True')).toBe('T');
    expect(c.size).toBe(6);
  });

  it.each([
    ['{"docid": 1', 'not valid JSON'],
    ['[1, 2]', 'expected a JSON object'],
    ['{"text": "x"}', "missing 'docid'"],
    ['{"docid": "1"}', "missing 'text'"],
    ['{"docid": "1", "text": 5}', 'expected a string'],
  ])('names file, line and field for %s', (line, msg) => {
    try {
      parseCorpusLine(line, 'corpus.jsonl', 12);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(CorpusError);
      expect((e as Error).message).toMatch(/^corpus\.jsonl:12/);
      expect((e as Error).message).toContain(msg);
    }
  });

  it('reports the line of a bad record in a file', async () => {
    const f = path.join(dir, 'bad.jsonl');
    writeFileSync(f, '{"docid": "1", "text": "x"}\n\n{"docid": "2", "text": }\n');
    await expect(loadCorpus(f)).rejects.toThrow(/bad\.jsonl:3: not valid JSON/);
  });
});
