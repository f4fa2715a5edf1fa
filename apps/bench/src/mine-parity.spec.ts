import { spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import type { Doc as CorpusDoc } from '@lrat/core';
import { sampleJson } from '@lrat/miners';
import { loadPairs } from '@lrat/trainer';
import { readTrajectories, type Trajectory } from '@lrat/trajectory';
import { defaultOptions } from './options';
import { createContext, mineLrat } from './pipeline';
import { createRealStack } from './real-stack';

// The bench trains on what `lrat mine` writes: the built CLI and the bench's stack mine the same
// trajectories over the same corpus with the same judge (rule) and tokenizer (Qwen3), and agree
// byte for byte; the bench's training set is what `lrat train` reads from that file.

const root = path.resolve(__dirname, '../../..');
const data = path.join(root, 'data/lrat-examples');

describe('bench mining = lrat mine', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'bench-mine-parity-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('mines the same samples, weights and order as the CLI, and trains on what lrat train reads', async () => {
    // The shipped parity corpus, every other doc given a title, so the bench's title + text and the
    // miner's BEIR reader must agree on the document text too.
    const docs: CorpusDoc[] = readFileSync(path.join(data, 'parity/corpus.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l, i) => {
        const d = JSON.parse(l) as { docid: string; text: string };
        return { docid: d.docid, title: i % 2 ? `Title of ${d.docid}` : '', text: d.text };
      });
    const corpusFile = path.join(dir, 'corpus.jsonl');
    writeFileSync(corpusFile, docs.map((d) => JSON.stringify({ _id: d.docid, title: d.title, text: d.text })).join('\n') + '\n');
    const trajDir = path.join(data, 'trajectories');

    const out = path.join(dir, 'pairs.jsonl');
    const cli = spawnSync(
      process.execPath,
      [path.join(root, 'apps/cli/bin/lrat.js'), 'mine', '--format', 'lrat', '--trajectories', trajDir, '--corpus', corpusFile, '--judge', 'rule', '--tokenizer', 'qwen3', '--out', out, '--quiet'],
      { encoding: 'utf8', cwd: root, env: { ...process.env, LRAT_PROGRESS: 'silent' } },
    );
    expect(cli.stderr).toMatch(/samples \(\d+ satisfied\)/);
    expect(cli.status).toBe(0);
    const written = readFileSync(out, 'utf8');

    const trajectories: Trajectory[] = [];
    for await (const it of readTrajectories([trajDir], { format: 'lrat' })) if (it.ok) trajectories.push(it.trajectory);
    const stack = await createRealStack({ ...defaultOptions(), cacheDir: path.join(dir, 'cache') });
    const corpusById = new Map(docs.map((d) => [d.docid, d] as const));
    const mined = await stack.mine(trajectories, corpusById, 'rule');

    // Sample for sample, byte for byte (reweight_rate in Python float repr included).
    const lines = written.trim().split('\n');
    expect(mined.samples.length).toBe(lines.length);
    expect(mined.samples.some((s) => s.satisfied) && mined.samples.some((s) => !s.satisfied)).toBe(true);
    mined.samples.forEach((s, i) => expect(sampleJson(s)).toBe(lines[i]));
    expect(mined.issues).toEqual([]);

    // What the bench trains on = what `lrat train` reads from the file (satisfied rows, weights as written).
    const ctx = createContext('in-domain', defaultOptions(), stack, () => undefined);
    const training = await mineLrat(ctx, 'lrat', trajectories, { corpusById, train: [] });
    const read = await loadPairs(out);
    expect(training.samples.length).toBe(read.length);
    expect(training.samples.map((s) => ({ query: s.query, pos: s.pos, neg: s.neg, reweight_rate: s.reweight_rate }))).toEqual(read);
  });
});
