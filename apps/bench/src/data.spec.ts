import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { capCorpus, loadJobData } from './data';

function beirFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-data-'));
  fs.mkdirSync(path.join(dir, 'qrels'));
  const docs = Array.from({ length: 30 }, (_, i) => ({ _id: `d${i}`, title: `T${i}`, text: `text ${i}` }));
  fs.writeFileSync(path.join(dir, 'corpus.jsonl'), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  const qs = Array.from({ length: 10 }, (_, i) => ({ _id: `q${i}`, text: `question ${i}`, answer: `T${20 + i}` }));
  fs.writeFileSync(path.join(dir, 'queries.jsonl'), qs.map((q) => JSON.stringify(q)).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'qrels', 'all.tsv'), 'query-id\tcorpus-id\tscore\n' + qs.map((q, i) => `${q._id}\td${20 + i}\t1`).join('\n') + '\n');
  return dir;
}

describe('job data', () => {
  let dir: string;
  beforeAll(() => {
    dir = beirFolder();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('splits by seed, caps questions per split and keeps the evidence of a capped corpus', async () => {
    const d = await loadJobData(dir, { seed: 3, testFraction: 0.3, limit: 5, corpusLimit: 4 });
    expect(d.test).toHaveLength(3);
    expect(d.train).toHaveLength(5);
    expect(new Set([...d.train, ...d.test].map((q) => q.id)).size).toBe(8);
    const ids = new Set(d.corpus.map((c) => c.docid));
    for (const q of [...d.train, ...d.test]) for (const e of q.evidence) expect(ids.has(e)).toBe(true);
    expect(d.corpus.filter((c) => Number(c.docid.slice(1)) < 20).map((c) => c.docid)).toEqual(['d0', 'd1', 'd2', 'd3']);
    expect(d.hasAnswers).toBe(true);
    expect(d.provenance).toMatchObject({ corpusDocs: d.corpus.length, questions: 10, trainQuestions: 5, testQuestions: 3, splitSeed: 3 });
    const again = await loadJobData(dir, { seed: 3, testFraction: 0.3 });
    expect(again.test.map((q) => q.id)).toEqual(d.test.map((q) => q.id));
    const other = await loadJobData(dir, { seed: 4, testFraction: 0.3 });
    expect(other.test.map((q) => q.id)).not.toEqual(d.test.map((q) => q.id));
  });

  it('test fraction 1 holds every question out (out-of-domain sets)', async () => {
    const d = await loadJobData(dir, { seed: 3, testFraction: 1 });
    expect(d.train).toEqual([]);
    expect(d.test).toHaveLength(10);
    expect(d.corpus).toHaveLength(30);
  });

  it('capCorpus without a cap keeps everything', () => {
    const docs = [{ docid: 'a', title: '', text: 'x' }];
    expect(capCorpus(docs, [], undefined)).toEqual(docs);
  });
});
