import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { compareCodePoints, LineSplitter, listTrajectoryFiles, readTrajectories, type ReadItem } from './read';
import { trajectoryJsonSchema, type Trajectory } from './schema';
import { TrajectoryInputError } from './errors';

const official = (q: string) =>
  JSON.stringify({
    query: q,
    query_id: 3,
    result: [
      { type: 'tool_call', tool_name: 'search', arguments: JSON.stringify({ query: [q] }), output: 'DocID:1\nx\nDocID:2' },
      { type: 'tool_call', tool_name: 'get_document', arguments: '{"docid": "1"}', output: 'text' },
      { type: 'reasoning', tool_name: 'None', arguments: 'None', output: 'useful' },
      { type: 'output_text', tool_name: 'None', arguments: 'None', output: 'the answer' },
    ],
  });

const normalised: Trajectory = {
  id: 'n1',
  question: 'who?',
  steps: [
    { type: 'search', query: 'who', results: [{ docid: 'd1', rank: 1, score: 2.5, snippet: 's' }] },
    { type: 'browse', docid: 'd1' },
    { type: 'reasoning', text: 'found it' },
    { type: 'answer', text: 'him' },
  ],
};

async function collect(paths: string[], opts = {}): Promise<ReadItem[]> {
  const out: ReadItem[] = [];
  for await (const x of readTrajectories(paths, opts)) out.push(x);
  return out;
}

describe('readers', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'lrat-read-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('a directory: regular files only, dot-files included, sorted by code point, no recursion', async () => {
    for (const n of ['b.json', 'a.json', '.h.json', 'é.json', '\u{1F600}.json', '\uFB01.json']) writeFileSync(path.join(dir, n), official(n));
    mkdirSync(path.join(dir, 'sub'));
    writeFileSync(path.join(dir, 'sub', 'x.json'), official('x'));
    symlinkSync(path.join(dir, 'a.json'), path.join(dir, 'link.json'));
    symlinkSync(path.join(dir, 'missing'), path.join(dir, 'dangling.json'));
    const files = (await listTrajectoryFiles([dir])).map((f) => path.basename(f));
    expect(files).toEqual(['.h.json', 'a.json', 'b.json', 'link.json', 'é.json', '\uFB01.json', '\u{1F600}.json']);
    expect(compareCodePoints('\uFB01', '\u{1F600}')).toBeLessThan(0); // UTF-16 order would say the opposite
  });

  it('the official format: normalised steps, skips with reasons', async () => {
    writeFileSync(path.join(dir, '1.json'), official('q1'));
    writeFileSync(path.join(dir, '2.json'), '{"no_result": 1}');
    writeFileSync(path.join(dir, '3.json'), '\ufeff' + official('q3'));
    writeFileSync(path.join(dir, '4.json'), official('q4') + '\n' + official('q4'));
    const items = await collect([dir], { format: 'lrat' });
    expect(items[0].ok && items[0].trajectory).toMatchObject({
      id: '1',
      question: 'q1',
      questionId: '3',
      finalAnswer: 'the answer',
      steps: [
        { type: 'search', query: 'q1', results: [{ docid: '1' }, { docid: '2' }] },
        { type: 'browse', docid: '1', tool: 'get_document' },
        { type: 'reasoning', text: 'useful' },
        { type: 'answer', text: 'the answer' },
      ],
    });
    const errs = items.filter((x): x is Extract<ReadItem, { ok: false }> => !x.ok).map((x) => x.error.message);
    expect(errs[0]).toMatch(/2\.json: skipped: not a JSON object with a 'result' key/);
    expect(errs[1]).toMatch(/3\.json: skipped: not valid JSON: Unexpected UTF-8 BOM/);
    expect(errs[2]).toMatch(/4\.json: skipped: not valid JSON: Extra data: line 2 column 1/);
    await expect(collect([dir], { format: 'lrat', strict: true })).rejects.toThrow(TrajectoryInputError);
  });

  it('a dropped trajectory names the field', async () => {
    const bad = JSON.parse(official('q')) as { result: Record<string, unknown>[] };
    bad.result[1].arguments = '{"docid": ';
    writeFileSync(path.join(dir, 'd.json'), JSON.stringify(bad));
    const [item] = await collect([path.join(dir, 'd.json')]);
    expect(!item.ok && item.error.kind).toBe('dropped');
    expect(!item.ok && item.error.field).toBe('result[1].arguments');
  });

  it('JSONL of normalised trajectories, rotated and gzipped, with a truncated last line reported and skipped', async () => {
    const line = JSON.stringify(normalised);
    writeFileSync(path.join(dir, 'log.1.jsonl'), `${line}\n\n${JSON.stringify({ ...normalised, id: 'n2' })}\n`);
    writeFileSync(path.join(dir, 'log.2.jsonl.gz'), gzipSync(`${JSON.stringify({ ...normalised, id: 'n3' })}\n`));
    writeFileSync(path.join(dir, 'log.3.jsonl'), `${JSON.stringify({ ...normalised, id: 'n4' })}\n{"id": "n5", "question": "x", "ste`);
    const items = await collect([dir], { format: 'jsonl', strict: true });
    expect(items.filter((x) => x.ok).map((x) => x.ok && x.trajectory.id)).toEqual(['n1', 'n2', 'n3', 'n4']);
    const last = items[items.length - 1];
    expect(!last.ok && last.error.kind).toBe('truncated');
    expect(!last.ok && last.error.source).toEqual({ file: path.join(dir, 'log.3.jsonl'), line: 2 });
  });

  it('JSON nested 100,000 deep is skipped and named in every format and container; the next file is still read', async () => {
    const deep = '['.repeat(100000) + ']'.repeat(100000);
    const good = path.join(dir, 'z-good.jsonl');
    writeFileSync(path.join(dir, 'a-deep.json'), deep);
    writeFileSync(path.join(dir, 'b-deep.json.gz'), gzipSync(`[{"role": "user", "content": "x"}, ${deep}]`));
    writeFileSync(path.join(dir, 'c-deep.jsonl'), `${deep}\n`);
    writeFileSync(path.join(dir, 'd-deep.jsonl.gz'), gzipSync(`${deep}\n`));
    writeFileSync(good, `${JSON.stringify(normalised)}\n`);
    const deepFiles = ['a-deep.json', 'b-deep.json.gz', 'c-deep.jsonl', 'd-deep.jsonl.gz'];
    for (const format of ['auto', 'openai', 'jsonl', 'lrat'] as const) {
      const items = await collect([dir], { format });
      const named = (x: ReadItem) => path.basename(x.ok ? x.source.file : x.error.source.file);
      expect([...new Set(items.map(named))]).toEqual([...deepFiles, 'z-good.jsonl']);
      // Nothing usable comes out of the deep documents (--format openai reads a bare array as a message list with no messages).
      for (const x of items.filter((i) => deepFiles.includes(named(i)))) expect(x.ok ? x.trajectory.steps.length : 'failed').toBe(x.ok && format === 'openai' ? 0 : 'failed');
      if (format === 'auto' || format === 'jsonl') expect(items.filter((x) => x.ok).map((x) => x.ok && x.source.file)).toEqual([good]);
    }
    await expect(collect([path.join(dir, 'c-deep.jsonl')], { format: 'jsonl', strict: true })).rejects.toThrow(/c-deep\.jsonl:1: trajectory dropped/);
  });

  it('a truncated or corrupt .jsonl.gz keeps the lines before the damage, names the file, and the run goes on', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => JSON.stringify({ ...normalised, id: `t${i}`, question: `q${i} ${'pad '.repeat(i % 50)}` })).join('\n') + '\n';
    const gz = gzipSync(lines);
    writeFileSync(path.join(dir, 'a-truncated.jsonl.gz'), gz.subarray(0, Math.floor(gz.length * 0.6)));
    const corrupt = Buffer.from(gz);
    for (let i = 200; i < 260; i++) corrupt[i] ^= 0x5a;
    writeFileSync(path.join(dir, 'b-corrupt.jsonl.gz'), corrupt);
    writeFileSync(path.join(dir, 'c-good.jsonl'), `${JSON.stringify(normalised)}\n`);
    const items = await collect([dir], { format: 'jsonl' });
    const bad = items.filter((x): x is Extract<ReadItem, { ok: false }> => !x.ok);
    expect(bad.map((x) => [path.basename(x.error.source.file), x.error.kind])).toEqual([
      ['a-truncated.jsonl.gz', 'skipped'],
      ['b-corrupt.jsonl.gz', 'skipped'],
    ]);
    expect(bad[0].error.message).toMatch(/a-truncated\.jsonl\.gz:\d+: skipped: the rest of the file is unreadable \(gzip: unexpected end of file\); the \d+ lines before it were read/);
    expect(bad[1].error.message).toMatch(/b-corrupt\.jsonl\.gz:\d+: skipped: the rest of the file is unreadable \(gzip: /);
    const okFiles = items.filter((x) => x.ok).map((x) => x.ok && path.basename(x.source.file));
    expect(okFiles.filter((f) => f === 'a-truncated.jsonl.gz').length).toBeGreaterThan(50);
    expect(okFiles[okFiles.length - 1]).toBe('c-good.jsonl');
    await expect(collect([path.join(dir, 'a-truncated.jsonl.gz')], { format: 'jsonl', strict: true })).rejects.toThrow(/unreadable/);
  });

  it('reads a 40 MB line from 64 KB chunks copying each byte a bounded number of times (linear, not quadratic)', () => {
    const splitter = new LineSplitter();
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let lines = 0;
    let bytes = 0;
    for (let i = 0; i < 640; i++) lines += [...splitter.push(chunk)].length;
    for (const l of splitter.push(Buffer.from('b\nc\n'))) {
      lines++;
      bytes += l.length;
    }
    expect(lines).toBe(2);
    expect(bytes).toBe(640 * 64 * 1024 + 1 + 1);
    // A reader that re-concatenates the pending line on every chunk copies ~640²/2 chunks; this one copies it once.
    expect(splitter.copiedBytes).toBeLessThanOrEqual(640 * 64 * 1024 + 2);
    expect(splitter.end()).toBeNull();
  });

  it('JSONL schema errors name line and field', async () => {
    const bad = { ...normalised, steps: [{ type: 'browse' }] };
    writeFileSync(path.join(dir, 'x.jsonl'), `${JSON.stringify(normalised)}\n${JSON.stringify(bad)}\n[1]\n`);
    const items = await collect([dir]);
    expect(!items[1].ok && items[1].error.message).toMatch(/x\.jsonl:2: trajectory dropped \(field steps\[0\]\.docid\)/);
    expect(!items[2].ok && items[2].error.message).toMatch(/x\.jsonl:3: skipped: unrecognised trajectory format/);
  });

  it('OpenAI chat logs: tool calls, tool results and reasoning between calls', async () => {
    const log = {
      model: 'gpt-x',
      messages: [
        { role: 'system', content: 'be good' },
        { role: 'user', content: 'Who founded X?' },
        { role: 'assistant', content: 'Let me search.', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'search', arguments: '{"query": "X founder"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: JSON.stringify([{ docid: 'd1', score: 3, snippet: 'X was…' }, { docid: 'd2', score: 1 }]) },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c2', type: 'function', function: { name: 'get_document', arguments: '{"docid": "d1"}' } }] },
        { role: 'tool', tool_call_id: 'c2', content: 'full text' },
        { role: 'assistant', content: 'd1 says Ada founded X.' },
      ],
    };
    writeFileSync(path.join(dir, 'chat.json'), JSON.stringify(log));
    const [item] = await collect([dir], { format: 'openai' });
    expect(item.ok && item.trajectory).toMatchObject({
      question: 'Who founded X?',
      finalAnswer: 'd1 says Ada founded X.',
      agent: { model: 'gpt-x' },
      steps: [
        { type: 'reasoning', text: 'Let me search.' },
        { type: 'search', query: 'X founder', results: [{ docid: 'd1', rank: 1, score: 3, snippet: 'X was…' }, { docid: 'd2', rank: 2, score: 1 }] },
        { type: 'browse', docid: 'd1', tool: 'get_document' },
        { type: 'reasoning', text: 'd1 says Ada founded X.' },
        { type: 'answer', text: 'd1 says Ada founded X.' },
      ],
    });
    const [auto] = await collect([path.join(dir, 'chat.json')]);
    expect(auto.ok).toBe(true);
  });

  it('a missing path is an error', async () => {
    await expect(collect([path.join(dir, 'nope')])).rejects.toThrow(/no such file or directory/);
  });

  it('exports the schema as JSON Schema', () => {
    const js = trajectoryJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(js.properties)).toEqual(expect.arrayContaining(['id', 'question', 'steps']));
  });
});
