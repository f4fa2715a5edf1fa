import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { readTrajectories, TrajectoryInputError, type Trajectory } from '@lrat/trajectory';
import { loadMinerCorpus } from './corpus';
import { createJudge, type Judge } from './judges';
import { mineSamples } from './mine-samples';
import { mineToFile } from './mine-to-file';
import { sampleJson } from './sample-json';
import { createTokenizer } from './tokenizers';

// mineSamples (in memory, what the bench trains on) against mineToFile (what `lrat mine` writes) on
// the same damaged folder: the same lines byte for byte, the same issues with the same structure.

const data = path.resolve(__dirname, '../../../data/lrat-examples');
const corpusFile = path.join(data, 'parity/corpus.jsonl');

describe('mineSamples', () => {
  let base: string;
  let dir: string;
  beforeAll(async () => {
    base = mkdtempSync(path.join(tmpdir(), 'lrat-mine-samples-'));
    dir = path.join(base, 'in');
    mkdirSync(dir);
    const trajs: Trajectory[] = [];
    for await (const it of readTrajectories([path.join(data, 'trajectories')], { format: 'lrat' })) if (it.ok) trajs.push(it.trajectory);
    const lines = trajs.map((t) => JSON.stringify(t));
    writeFileSync(path.join(dir, 'a-log.jsonl'), lines.slice(0, 6).join('\n') + '\n' + lines[6].slice(0, 50));
    writeFileSync(path.join(dir, 'b-log.jsonl'), lines.slice(6).join('\n') + '\n');
    writeFileSync(path.join(dir, 'e.txt'), 'not json');
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  const opts = async () => ({ judge: createJudge({ kind: 'rule' }), tokenizer: await createTokenizer('whitespace'), corpus: await loadMinerCorpus(corpusFile) });

  it.each([
    ['official weights, every row', {}],
    ['satisfied rows, linear-capped weights', { satisfiedOnly: true, weighting: 'linear-capped:100' }],
  ])('writes what lrat mine writes (%s) and reports the same issues', async (_, extra: { satisfiedOnly?: boolean; weighting?: string }) => {
    const cliIssues: TrajectoryInputError[] = [];
    const out = path.join(base, `out-${Object.keys(extra).length}.jsonl`);
    const file = await mineToFile({ trajectories: [dir], corpus: corpusFile, judge: { kind: 'rule' }, tokenizer: 'whitespace', out, workers: 2, onIssue: (e) => cliIssues.push(e), ...extra });
    const seen: TrajectoryInputError[] = [];
    const mem = await mineSamples(readTrajectories([dir]), { ...(await opts()), onIssue: (e) => seen.push(e), ...extra });

    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(mem.samples.map(sampleJson)).toEqual(lines);
    expect(mem.samples.length).toBe(file.written);
    expect({ t: mem.trajectories, s: mem.skipped, d: mem.dropped, tr: mem.truncated, n: mem.mined, w: mem.withoutNegatives }).toEqual({
      t: file.trajectories, s: file.skipped, d: file.dropped, tr: file.truncated, n: file.samples, w: file.withoutNegatives,
    });
    expect(mem.stats).toEqual(file.stats);
    // Structured, per trajectory: kind, file and line, as lrat mine reports them.
    expect(mem.issues).toEqual(seen);
    expect(mem.issues.map((e) => [e.kind, path.basename(e.source.file), e.source.line])).toEqual([['truncated', 'a-log.jsonl', 7], ['skipped', 'e.txt', undefined]]);
    expect(mem.issues.map((e) => e.message)).toEqual(cliIssues.map((e) => e.message));
  });

  it('strict stops at the first broken input; a truncated line never stops a run', async () => {
    await expect(mineSamples(readTrajectories([dir]), { ...(await opts()), strict: true })).rejects.toThrow(/e\.txt: skipped: not valid JSON/);
  });

  it('a judge that cannot answer stops the run instead of dropping trajectories', async () => {
    const down: Judge = { name: 'down', judge: () => Promise.reject(new Error('judge endpoint unreachable')) };
    await expect(mineSamples(readTrajectories([dir]), { ...(await opts()), judge: down })).rejects.toThrow(/judge endpoint unreachable/);
  });
});
