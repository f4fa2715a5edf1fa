import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import type { Trajectory } from '@lrat/trajectory';
import { mineToFile } from './mine-to-file';

// Rows upstream FlagEmbedding cannot load are not written, and files that browse but yield nothing
// are named in a warning — on the worker path and in-process alike.

const corpus = Array.from({ length: 6 }, (_, i) => JSON.stringify({ docid: `d${i}`, text: `document ${i}` })).join('\n') + '\n';

function traj(id: string, steps: Trajectory['steps']): string {
  return JSON.stringify({ id, question: 'q', steps });
}

describe('mineToFile output FlagEmbedding can load', () => {
  let base: string;
  beforeEach(() => {
    base = mkdtempSync(path.join(tmpdir(), 'lrat-unloadable-'));
    writeFileSync(path.join(base, 'corpus.jsonl'), corpus);
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const run = (files: string[], workers: number, warnings: string[]) =>
    mineToFile({
      trajectories: files,
      corpus: path.join(base, 'corpus.jsonl'),
      judge: { kind: 'none' },
      tokenizer: 'whitespace',
      out: path.join(base, `out-${workers}.jsonl`),
      workers,
      onWarning: (w) => warnings.push(w),
    });

  it.each([0, 2])('leaves out samples without negatives but weighs them with the rest (workers=%i)', async (workers) => {
    const file = path.join(base, 'runs.jsonl');
    writeFileSync(
      file,
      [
        // a search with a single result, browsed: its sample has no negative at all
        traj('single', [{ type: 'search', query: 'one', results: [{ docid: 'd0' }] }, { type: 'browse', docid: 'd0' }, { type: 'reasoning', text: 'a b c' }]),
        traj('pair', [{ type: 'search', query: 'two', results: [{ docid: 'd1' }, { docid: 'd2' }] }, { type: 'browse', docid: 'd1' }, { type: 'reasoning', text: 'a' }]),
      ].join('\n') + '\n',
    );
    const warnings: string[] = [];
    const s = await run([file], workers, warnings);
    expect({ samples: s.samples, written: s.written, withoutNegatives: s.withoutNegatives }).toEqual({ samples: 2, written: 1, withoutNegatives: 1 });
    const rows = readFileSync(path.join(base, `out-${workers}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(rows.map((r) => [r.query, r.neg_id])).toEqual([['two', ['d2']]]);
    // weights over both samples (lengths 3 and 1), not over the written one alone (which would give 1)
    expect(rows[0].reweight_rate).not.toBeCloseTo(1, 6);
    expect(warnings).toEqual([]);
  });

  it.each([0, 2])('names the files that browse but yield nothing, with the reason (workers=%i)', async (workers) => {
    const noIds = path.join(base, 'no-ids.jsonl');
    writeFileSync(noIds, traj('a', [{ type: 'search', query: 'x', results: [] }, { type: 'browse', docid: 'd1' }]) + '\n');
    const unmatched = path.join(base, 'unmatched.jsonl');
    writeFileSync(unmatched, traj('b', [{ type: 'search', query: 'x', results: [{ docid: 'd1' }] }, { type: 'browse', docid: 'zz' }]) + '\n');
    const fine = path.join(base, 'fine.jsonl');
    writeFileSync(fine, traj('c', [{ type: 'search', query: 'x', results: [{ docid: 'd1' }, { docid: 'd2' }] }, { type: 'browse', docid: 'd1' }]) + '\n');
    const warnings: string[] = [];
    const s = await run([noIds, unmatched, fine], workers, warnings);
    expect(s.warnings).toEqual(warnings);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/1 file\(s\) browse documents but yield no sample because their searches show no doc ids .*: .*no-ids\.jsonl$/);
    expect(warnings[1]).toMatch(/1 file\(s\) browse documents but yield no sample because no browsed doc was among .*: .*unmatched\.jsonl$/);
  });

  it('says when no trajectory browses at all', async () => {
    const file = path.join(base, 'search-only.jsonl');
    writeFileSync(file, traj('a', [{ type: 'search', query: 'x', results: [{ docid: 'd1' }] }]) + '\n');
    const warnings: string[] = [];
    await run([file], 0, warnings);
    expect(warnings).toEqual([expect.stringMatching(/no trajectory browses a document.*--get-document/)]);
  });
});
