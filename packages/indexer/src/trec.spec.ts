import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { readQrels } from '@lrat/core';
import { readTrecRun, writeQrels, writeTrecRun, type Run } from './trec';

const dir = mkdtempSync(path.join(tmpdir(), 'lrat-trec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TREC files', () => {
  it('round-trips a run in the 6-column format with ranks in list order', async () => {
    const run: Run = new Map([['q1', [{ docid: 'a', score: 2.5 }, { docid: 'b', score: 1 }]], ['q2', [{ docid: 'c', score: 0.125 }]]]);
    const file = path.join(dir, 'run.trec');
    await writeTrecRun(file, run, 'mytag');
    expect(readFileSync(file, 'utf8')).toBe('q1 Q0 a 1 2.5 mytag\nq1 Q0 b 2 1.0 mytag\nq2 Q0 c 1 0.125 mytag\n');
    expect(await readTrecRun(file)).toEqual(run);
  });

  it('names file, line and field on bad runs', async () => {
    const file = path.join(dir, 'bad.trec');
    writeFileSync(file, 'q1 Q0 a 1 2.5 t\nq1 Q0 b 2 notanumber t\n');
    await expect(readTrecRun(file)).rejects.toThrow(`${file}:2: field "score": not a finite number: "notanumber"`);
    writeFileSync(file, 'q1 Q0 a 1 2.5 t\nq1 Q0 a 2 1 t\n');
    await expect(readTrecRun(file)).rejects.toThrow(/:2: field "docid": duplicate document "a"/);
    writeFileSync(file, 'q1 a 1 2.5\n');
    await expect(readTrecRun(file)).rejects.toThrow(/:1: expected 6 columns/);
  });

  it('writes TREC qrels that read back as the BEIR qrels they came from', async () => {
    const beir = path.join(dir, 'qrels.tsv');
    writeFileSync(beir, 'query-id\tcorpus-id\tscore\nq1\td1\t1\nq1\td2\t2\n');
    const q = await readQrels(beir);
    expect(q.get('q1')).toEqual(new Map([['d1', 1], ['d2', 2]]));
    const trec = path.join(dir, 'qrels.txt');
    await writeQrels(trec, q);
    expect(readFileSync(trec, 'utf8')).toBe('q1 0 d1 1\nq1 0 d2 2\n');
    expect(await readQrels(trec)).toEqual(q);
  });
});
