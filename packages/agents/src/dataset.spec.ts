import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { InputFileError } from '@lrat/core';
import { loadBeirDataset, splitQuestions } from './dataset';

// This file's temporary folders, under one root removed when it ends.
const tmpRoot = mkdtempSync(path.join(tmpdir(), 'agents-beir-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

const MULTIHOP = path.resolve(__dirname, '../../../data/multihop-wiki');
const SCIFACT = path.resolve(__dirname, '../../../data/scifact');

function beirFolder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpRoot, 'agents-beir-'));
  mkdirSync(path.join(dir, 'qrels'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return dir;
}

describe('loadBeirDataset', () => {
  it('loads multihop-wiki: 1,100 questions with answers and exactly 2 evidence docs each', async () => {
    const ds = await loadBeirDataset(MULTIHOP);
    expect(ds.questions).toHaveLength(1100);
    expect(ds.questions.every((q) => q.evidence.length === 2 && typeof q.answer === 'string')).toBe(true);
    expect(ds.questions[0]).toMatchObject({ id: '5abf63f15542997ec76fd3ea', answer: 'October 1922', evidence: ['hp_1269c490d9ee', 'hp_72ff9857838f'] });
    expect(ds.questions[0].metadata.type).toBe('bridge');
    const corpus = await ds.loadCorpus();
    expect(corpus.size).toBe(10787);
    expect(corpus.get('hp_1269c490d9ee')?.title).toBe('Socialist Revolutionary Party');
    for (const q of ds.questions) for (const d of q.evidence) expect(corpus.has(d)).toBe(true);
  });

  it('streams the corpus without loading it', async () => {
    const ds = await loadBeirDataset(MULTIHOP);
    let n = 0;
    for await (const doc of ds.streamCorpus()) {
      expect(doc.docid).toMatch(/^hp_/);
      if (++n === 50) break;
    }
    expect(n).toBe(50);
  });

  it('selects qrels files (SciFact test split) and keeps only judged questions on request', async () => {
    const ds = await loadBeirDataset(SCIFACT, { qrels: 'test', onlyWithQrels: true });
    expect(ds.qrelsFiles).toEqual([path.join('qrels', 'test.tsv')]);
    expect(ds.questions.length).toBeGreaterThan(250);
    expect(ds.questions.every((q) => q.evidence.length > 0 && q.answer === undefined)).toBe(true);
  });

  it('names file, line and field on bad input', async () => {
    const dir = beirFolder({ 'corpus.jsonl': '{"_id":"d1","title":"T","text":"x"}\n{"_id":"d2","title":"T"}\n', 'queries.jsonl': '{"_id":"q1","text":"hi"}\n', 'qrels/test.tsv': 'query-id\tcorpus-id\tscore\nq1\td1\t1\n' });
    const ds = await loadBeirDataset(dir);
    await expect(ds.loadCorpus()).rejects.toThrow(/corpus\.jsonl:2: field "text": missing/);
    const bad = beirFolder({ 'corpus.jsonl': '', 'queries.jsonl': '{"_id":"q1","text":"hi"}\n{"_id":"q2",\n', 'qrels/a.tsv': '' });
    await expect(loadBeirDataset(bad)).rejects.toThrow(InputFileError);
    await expect(loadBeirDataset(bad)).rejects.toThrow(/queries\.jsonl:2/);
    const badScore = beirFolder({ 'corpus.jsonl': '', 'queries.jsonl': '', 'qrels/a.tsv': 'q1\td1\tx\n' });
    await expect(loadBeirDataset(badScore)).rejects.toThrow(/a\.tsv:1: field "score"/);
  });
});

describe('splitQuestions', () => {
  const qs = Array.from({ length: 100 }, (_, i) => ({ id: `q${i}` }));
  it('is deterministic by seed, disjoint, complete and independent of input order', () => {
    const a = splitQuestions(qs, { seed: 7, testFraction: 0.3 });
    const b = splitQuestions([...qs].reverse(), { seed: 7, testFraction: 0.3 });
    expect(a.test).toHaveLength(30);
    expect(a.train).toHaveLength(70);
    expect(new Set(b.test.map((q) => q.id))).toEqual(new Set(a.test.map((q) => q.id)));
    expect(new Set([...a.train, ...a.test].map((q) => q.id)).size).toBe(100);
    const c = splitQuestions(qs, { seed: 8, testFraction: 0.3 });
    expect(c.test.map((q) => q.id)).not.toEqual(a.test.map((q) => q.id));
  });
  it('rejects duplicate ids', () => {
    expect(() => splitQuestions([{ id: 'x' }, { id: 'x' }], { seed: 1 })).toThrow(/duplicate/);
  });
});
