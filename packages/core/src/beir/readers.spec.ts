import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { loadCorpus, parseCorpusLine, readCorpus } from './corpus';
import { InputFileError } from './input-file-error';
import { readQrels } from './qrels';
import { loadQueries } from './queries';

let dir: string;
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'lrat-beir-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const f = path.join(dir, name);
  writeFileSync(f, content);
  return f;
}

describe('readCorpus', () => {
  it('reads BEIR {_id,title,text}, the LRAT {docid,text} and Pyserini {id,contents} layouts', async () => {
    const f = file('corpus.jsonl', '\uFEFF{"_id":"d1","title":"T","text":"body"}\n\n{"_id":"d2","text":"x"}\r\n{"docid":"d3","title":null,"text":"y"}\n{"id":4,"contents":"z"}\n{"_id":"d5","title":"","text":"w"}\n');
    expect(await loadCorpus(f)).toEqual([
      { docid: 'd1', title: 'T', text: 'body' },
      { docid: 'd2', text: 'x' },
      { docid: 'd3', text: 'y' },
      { docid: '4', text: 'z' },
      { docid: 'd5', text: 'w' },
    ]);
  });

  it('reads TSV (with or without its header) and gzip', async () => {
    const tsv = file('corpus.tsv', 'id\ttext\ttitle\nd1\tbody\tT\nd2\tx\n');
    expect(await loadCorpus(tsv)).toEqual([{ docid: 'd1', text: 'body', title: 'T' }, { docid: 'd2', text: 'x' }]);
    const gz = file('corpus.jsonl.gz', gzipSync('{"_id":"d1","text":"zipped"}\n'));
    expect(await loadCorpus(gz)).toEqual([{ docid: 'd1', text: 'zipped' }]);
  });

  it('names file, line and field on bad input', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{"_id":"d1","text":"ok"}\n{"_id":"d2","text":5}\n', /:2: field "text": expected a string, got number/],
      ['{"_id":"d1","text":"ok"}\n{"_id":"d2",\n', /:2: invalid JSON/],
      ['{"_id":"d1","title":"T"}\n', /:1: field "text": missing/],
      ['{"title":"T","text":"x"}\n', /:1: field "_id": missing id/],
      ['[1]\n', /:1: expected a JSON object/],
    ];
    for (const [content, message] of cases) {
      const f = file('bad.jsonl', content);
      const err = await loadCorpus(f).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InputFileError);
      expect((err as Error).message.startsWith(`${f}:`)).toBe(true);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('streams: documents before a bad line arrive first', async () => {
    const f = file('partly-bad.jsonl', '{"_id":"d1","text":"ok"}\nnot json\n');
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const d of readCorpus(f)) seen.push(d.docid);
      })(),
    ).rejects.toThrow(/partly-bad\.jsonl:2: invalid JSON/);
    expect(seen).toEqual(['d1']);
  });
});

describe('readCorpus({ python: true }) — as the official builder reads its corpus', () => {
  it('breaks lines at \\n, \\r\\n and a lone \\r, skips blank lines and keeps every record in file order', async () => {
    const f = file('python.jsonl', '{"docid": 7, "text": "a"}\r\n\n   \r{"docid": 1.0, "text": "b"}\r{"docid": "x", "text": "c"}\n{"docid": "x", "text": "d"}');
    expect(await loadCorpus(f, { python: true })).toEqual([
      { docid: '7', text: 'a' },
      { docid: '1.0', text: 'b' },
      { docid: 'x', text: 'c' },
      { docid: 'x', text: 'd' },
    ]);
    const gz = file('python.jsonl.gz', gzipSync('{"docid": 2, "text": "zipped"}\r{"_id": "b", "title": "T", "text": "x"}'));
    expect(await loadCorpus(gz, { python: true })).toEqual([{ docid: '2', text: 'zipped' }, { docid: 'b', title: 'T', text: 'x' }]);
  });

  it('prefers docid to _id and takes a title only on BEIR records, as the builder does', () => {
    expect(parseCorpusLine('{"docid": "x", "_id": "y", "title": "T", "text": "b"}', 'c.jsonl', 1, { python: true })).toEqual({ docid: 'x', text: 'b' });
    expect(parseCorpusLine('{"_id": "y", "title": 5, "text": "b"}', 'c.jsonl', 1, { python: true })).toEqual({ docid: 'y', text: 'b' });
    // The default reader takes _id first and refuses a non-string title.
    expect(parseCorpusLine('{"docid": "x", "_id": "y", "text": "b"}', 'c.jsonl', 1)).toEqual({ docid: 'y', text: 'b' });
    expect(() => parseCorpusLine('{"_id": "y", "title": 5, "text": "b"}', 'c.jsonl', 1)).toThrow(/field "title": expected a string/);
  });

  it.each([
    ['{"docid": 1', 'not valid JSON'],
    ['[1, 2]', 'expected a JSON object, got list'],
    ['{"text": "x"}', `field "docid": missing 'docid'`],
    ['{"docid": "1"}', `field "text": missing 'text'`],
    ['{"docid": "1", "text": 5}', 'field "text": expected a string, got int'],
  ])('names file, line and field for %s', (line, msg) => {
    expect(() => parseCorpusLine(line, 'corpus.jsonl', 12, { python: true })).toThrow(InputFileError);
    expect(() => parseCorpusLine(line, 'corpus.jsonl', 12, { python: true })).toThrow(`corpus.jsonl:12: ${msg}`);
  });

  it('reports the line of a bad record, and of a byte that is not UTF-8', async () => {
    await expect(loadCorpus(file('bad.jsonl', '{"docid": "1", "text": "x"}\n\n{"docid": "2", "text": }\n'), { python: true })).rejects.toThrow(/bad\.jsonl:3: not valid JSON/);
    const bytes = Buffer.concat([Buffer.from('{"docid": "1", "text": "x"}\n{"docid": "2", "text": "'), Buffer.from([0xff]), Buffer.from('"}\n')]);
    await expect(loadCorpus(file('latin1.jsonl', bytes), { python: true })).rejects.toThrow(/latin1\.jsonl:2: .*utf-8/);
  });
});

describe('loadQueries', () => {
  it('reads BEIR queries, keeping the gold answer and every other field', async () => {
    const f = file('queries.jsonl', '{"_id":"q1","text":"who?","answer":"me","type":"bridge"}\n{"id":2,"query":"what?","answer":["x","y"]}\n{"qid":"q3","text":"n?","answer":42}\n');
    expect(await loadQueries(f)).toEqual([
      { id: 'q1', text: 'who?', answer: 'me', extra: { type: 'bridge' } },
      { id: '2', text: 'what?', answer: 'x' },
      { id: 'q3', text: 'n?', answer: '42' },
    ]);
    expect(await loadQueries(file('queries.tsv', 'q1\twho?\n'))).toEqual([{ id: 'q1', text: 'who?' }]);
  });

  it('names file, line and field on bad input', async () => {
    await expect(loadQueries(file('q-bad.jsonl', '{"_id":"q1","text":"hi"}\n{"_id":"q2","text":"x","answer":{"a":1}}\n'))).rejects.toThrow(/q-bad\.jsonl:2: field "answer": expected a string/);
    await expect(loadQueries(file('q-bad.jsonl', '{"_id":"q1"}\n'))).rejects.toThrow(/q-bad\.jsonl:1: field "text": missing/);
  });
});

describe('readQrels', () => {
  it('reads BEIR TSV with or without a header, TREC, and a missing score as 1', async () => {
    const beir = await readQrels(file('a.tsv', 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td 2\t0.5\n'));
    expect(beir).toEqual(new Map([['q1', new Map([['d1', 1], ['d 2', 0.5]])]]));
    expect(await readQrels(file('b.tsv', 'q1\td1\t2\r\n\nq2\td3\n'))).toEqual(new Map([['q1', new Map([['d1', 2]])], ['q2', new Map([['d3', 1]])]]));
    expect(await readQrels(file('c.txt', 'q1 0 d1 1\nq1 Q0 d2 0\n'))).toEqual(new Map([['q1', new Map([['d1', 1], ['d2', 0]])]]));
  });

  it('merges several files into one map', async () => {
    const into = await readQrels(file('d.tsv', 'q1\td1\t1\n'));
    await readQrels(file('e.tsv', 'q1\td2\t1\nq2\td1\t3\n'), into);
    expect(into).toEqual(new Map([['q1', new Map([['d1', 1], ['d2', 1]])], ['q2', new Map([['d1', 3]])]]));
  });

  it('names file, line and field on bad input', async () => {
    await expect(readQrels(file('f.tsv', 'q1\td1\thigh\n'))).rejects.toThrow(/f\.tsv:1: field "score": not a number: "high"/);
    await expect(readQrels(file('g.tsv', 'q1\td1\t1\n\td2\t1\n'))).rejects.toThrow(/g\.tsv:2: field "query-id": empty/);
    await expect(readQrels(file('h.txt', 'q1 Q0 d1 1 9.5 run\n'))).rejects.toThrow(/h\.txt:1: expected .* got 6 columns/);
    await expect(readQrels(file('i.tsv', 'q1\n'))).rejects.toThrow(/i\.tsv:1: expected .* got 1 column$/);
  });
});
