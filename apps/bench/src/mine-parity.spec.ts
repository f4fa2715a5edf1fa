import { execFile, spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { documentText, type Doc as CorpusDoc } from '@lrat/core';
import { assistantReply, startScriptedServer } from '@lrat/agents/testing';
import { parseVerdicts, reasoningSha256, sampleJson } from '@lrat/miners';
import { loadPairs } from '@lrat/trainer';
import { readTrajectories, type Trajectory } from '@lrat/trajectory';
import { defaultOptions } from './options';
import { createContext, mineLrat } from './pipeline';
import { createRealStack } from './real-stack';

// The bench mines with `lrat mine`'s own function and trains on what `lrat train` reads: the built
// CLI on the official trajectory files and the bench's stack on the same trajectories in memory (as
// its agents hand them over) write the same rows byte for byte, with the rule judge and with an LLM
// judge at a scripted endpoint, and the bench trains on exactly the rows `lrat train` reads from the
// CLI's file.

const root = path.resolve(__dirname, '../../..');
const data = path.join(root, 'data/lrat-examples');

const trajDir = path.join(data, 'trajectories');

async function officialTrajectories(): Promise<Trajectory[]> {
  const out: Trajectory[] = [];
  for await (const it of readTrajectories([trajDir], { format: 'lrat' })) if (it.ok) out.push(it.trajectory);
  return out;
}

describe('bench mining = lrat mine', () => {
  let dir: string;
  let docs: CorpusDoc[];
  let corpusFile: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'bench-mine-parity-'));
    // The shipped parity corpus, every other doc given a title, as a BEIR file.
    docs = readFileSync(path.join(data, 'parity/corpus.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l, i) => {
        const d = JSON.parse(l) as { docid: string; text: string };
        return { docid: d.docid, title: i % 2 ? `Title of ${d.docid}` : '', text: d.text };
      });
    corpusFile = path.join(dir, 'corpus.jsonl');
    writeFileSync(corpusFile, docs.map((d) => JSON.stringify({ _id: d.docid, title: d.title, text: d.text })).join('\n') + '\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('mines the same samples, weights and order as the CLI, and trains on what lrat train reads', async () => {
    const out = path.join(dir, 'pairs.jsonl');
    const cli = spawnSync(
      process.execPath,
      [path.join(root, 'apps/cli/bin/lrat.js'), 'mine', '--format', 'lrat', '--trajectories', trajDir, '--corpus', corpusFile, '--judge', 'rule', '--tokenizer', 'qwen3', '--out', out, '--quiet'],
      { encoding: 'utf8', cwd: root, env: { ...process.env, LRAT_PROGRESS: 'silent' } },
    );
    expect(cli.stderr).toMatch(/samples \(\d+ satisfied\)/);
    expect(cli.status).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n');

    const trajectories = await officialTrajectories();
    const stack = await createRealStack({ ...defaultOptions(), cacheDir: path.join(dir, 'cache') });
    const mined = await stack.mine(trajectories, corpusFile, 'rule', { dir: path.join(dir, 'stack'), name: 'pass' });

    // The trajectories are kept as a file the CLI mines to the same bytes.
    expect(mined.files.trajectories).toBe(path.join(dir, 'stack', 'trajectories', 'pass.jsonl'));
    expect(readFileSync(mined.files.samples, 'utf8').trim().split('\n')).toEqual(lines);
    // Row for row, byte for byte (reweight_rate in Python float repr included), read back whole.
    expect(mined.rows.length).toBe(lines.length);
    expect(mined.rows.some((s) => s.satisfied) && mined.rows.some((s) => !s.satisfied)).toBe(true);
    mined.rows.forEach((s, i) => expect(sampleJson(s)).toBe(lines[i]));
    expect(mined.samples).toEqual(mined.rows.filter((s) => s.satisfied));
    expect(mined.issues).toEqual([]);
    expect({ trajectories: mined.summary.trajectories, written: mined.summary.written }).toEqual({ trajectories: trajectories.length, written: lines.length });
    expect(JSON.parse(readFileSync(mined.files.stats, 'utf8'))).toMatchObject({ samples: mined.summary.samples, written: lines.length });
    // The passages are the documents as the bench indexes them (title + text of its loaded corpus).
    const byId = new Map(docs.map((d) => [d.docid, documentText(d)] as const));
    for (const s of mined.rows) {
      expect(s.pos).toEqual(s.pos_id.map((id) => byId.get(id)));
      expect(s.neg).toEqual(s.neg_id.map((id) => byId.get(id)));
    }

    // What the bench trains on = what `lrat train` reads from the CLI's file (satisfied rows, weights
    // as written); the ablation's variants get every row. One file pair per pass and seed.
    const ctx = createContext('in-domain', { ...defaultOptions(), out: path.join(dir, 'run') }, stack, () => undefined);
    const training = await mineLrat(ctx, '+reweight', trajectories, { corpusFile, train: [] });
    const read = await loadPairs(out);
    expect(training.samples.length).toBe(read.length);
    expect(training.samples.map((s) => ({ query: s.query, pos: s.pos, neg: s.neg, reweight_rate: s.reweight_rate }))).toEqual(read);
    expect(training.all).toEqual(await loadPairs(out, { includeUnsatisfied: true, lratFields: true }));
    expect(training.mining.how).toContain(path.join('mined', `_reweight-seed${ctx.options.seed}.jsonl`));
    expect(readFileSync(path.join(dir, 'run', 'mined', `_reweight-seed${ctx.options.seed}.jsonl`), 'utf8').trim().split('\n')).toEqual(lines);
  });

  it('with the LLM judge: the rows of lrat mine --judge llm, and a second pass asks the endpoint nothing', async () => {
    // The judges' endpoint answers from the shipped parity verdicts, so both verdicts occur.
    const verdicts = parseVerdicts(readFileSync(path.join(data, 'parity/verdicts.jsonl'), 'utf8'), 'verdicts.jsonl');
    const judge = await startScriptedServer((req) => {
      const prompt = String((req.body.messages as { content: string }[])[0].content);
      const text = prompt.slice(prompt.lastIndexOf('AnalysisText:\n') + 'AnalysisText:\n'.length);
      return assistantReply({ content: verdicts.get(reasoningSha256(text)) ? 'RELEVANT' : 'NOT_RELEVANT' });
    });
    try {
      const out = path.join(dir, 'llm-pairs.jsonl');
      // Not spawnSync: the scripted endpoint answers from this process's event loop.
      await promisify(execFile)(
        process.execPath,
        [path.join(root, 'apps/cli/bin/lrat.js'), 'mine', '--format', 'lrat', '--trajectories', trajDir, '--corpus', corpusFile, '--judge', 'llm', '--judge-base-url', judge.baseUrl, '--judge-model', 'judge-model', '--tokenizer', 'qwen3', '--out', out, '--quiet'],
        { cwd: root, env: { ...process.env, LRAT_PROGRESS: 'silent' } },
      );
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      const asked = judge.requests.length;
      expect(asked).toBeGreaterThan(0);

      const stack = await createRealStack({ ...defaultOptions(), judge: 'llm', judgeBaseUrl: judge.baseUrl, judgeModel: 'judge-model', cacheDir: path.join(dir, 'cache-llm') });
      const first = await stack.mine(await officialTrajectories(), corpusFile, 'llm', { dir: path.join(dir, 'llm'), name: 'pass1' });
      expect(first.judge).toBe('llm');
      expect(readFileSync(first.files.samples, 'utf8').trim().split('\n')).toEqual(lines);
      expect(first.rows.some((s) => s.satisfied) && first.rows.some((s) => !s.satisfied)).toBe(true);
      expect(judge.requests.length).toBe(2 * asked);
      const second = await stack.mine(await officialTrajectories(), corpusFile, 'llm', { dir: path.join(dir, 'llm'), name: 'pass2' });
      expect(judge.requests.length).toBe(2 * asked);
      expect(readFileSync(second.files.samples, 'utf8').trim().split('\n')).toEqual(lines);
    } finally {
      await judge.close();
    }
  });
});
