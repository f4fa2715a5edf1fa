import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { gzipSync } from 'zlib';
import { compareCodePoints, listTrajectoryFiles, readTrajectories, type ReadItem } from './read';
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
