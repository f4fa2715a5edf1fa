import { spawnSync } from 'child_process';
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';

// Runs the built `lrat` binary (the cli test target builds it first).
const ROOT = path.resolve(__dirname, '../../../..');
const BIN = path.join(ROOT, 'apps', 'cli', 'bin', 'lrat.js');
const lrat = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, LRAT_TF_BACKEND: '' } });

let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-cli-train-'));
});
afterAll(() => fsp.rm(tmp, { recursive: true, force: true }));

const topics = ['volcano eruption lava', 'violin concerto orchestra', 'football league goal', 'protein enzyme cell', 'railway station train', 'poetry sonnet verse'];

async function writePairs(file: string): Promise<void> {
  const lines = topics.flatMap((t, i) =>
    [0, 1].map((k) => JSON.stringify({ query: `what about ${t.split(' ')[k]}`, pos: [`${t} article ${k}`], neg: [`${topics[(i + 1) % topics.length]} article`], reweight_rate: 0.5 + k })),
  );
  await fsp.writeFile(file, lines.join('\n') + '\n');
}

describe('lrat train and lrat encode', () => {
  it('trains the bow encoder from a pairs file, then embeds a BEIR corpus with it', async () => {
    const pairs = path.join(tmp, 'pairs.jsonl');
    await writePairs(pairs);
    const model = path.join(tmp, 'model');
    const t = lrat('train', '--pairs', pairs, '--encoder', 'bow', '--out', model, '--epochs', '2', '--batch-size', '4', '--group-size', '2', '--backend', 'wasm', '--checkpoint-every', '2', '--quiet');
    expect(t.stderr).toMatch(/tfjs backend: wasm \(requested by --backend\)/);
    expect(t.stderr).toMatch(/6 steps in [\d.]+ s on wasm; loss [\d.]+ → [\d.]+/);
    expect(t.status).toBe(0);
    const manifest = JSON.parse(await fsp.readFile(path.join(model, 'encoder.json'), 'utf8'));
    expect(manifest).toMatchObject({ format: 'lrat-encoder', kind: 'bow', backend: 'wasm', step: 6 });
    expect((await fsp.readFile(path.join(model, 'metrics.jsonl'), 'utf8')).trim().split('\n')).toHaveLength(6);

    const corpus = path.join(tmp, 'corpus.jsonl');
    await fsp.writeFile(corpus, topics.map((x, i) => JSON.stringify({ _id: `d${i}`, title: x.split(' ')[0], text: x })).join('\n') + '\n');
    const emb = path.join(tmp, 'emb');
    const e = lrat('encode', '--model', model, '--input', corpus, '--out', emb, '--backend', 'wasm', '--quiet');
    expect(e.status).toBe(0);
    const m = JSON.parse(await fsp.readFile(path.join(emb, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({ side: 'document', count: 6, dim: 256, backend: 'wasm', model: { id: 'bow', version: manifest.version } });
    const vec = new Float32Array(new Uint8Array(await fsp.readFile(path.join(emb, 'embeddings.f32'))).buffer);
    expect(vec.length).toBe(6 * 256);
    expect(Math.hypot(...vec.subarray(0, 256))).toBeCloseTo(1, 4);
    expect((await fsp.readFile(path.join(emb, 'ids.txt'), 'utf8')).trim().split('\n')).toEqual(['d0', 'd1', 'd2', 'd3', 'd4', 'd5']);
  });

  it('--cloze-corpus / --cloze-pairs mix inverse-cloze pairs of a corpus into the training rows', async () => {
    const pairs = path.join(tmp, 'pairs-cloze.jsonl');
    await writePairs(pairs);
    const corpus = path.join(tmp, 'cloze-corpus.jsonl');
    const sentence = (t: string, i: number) => `The ${t} is the subject of passage number ${i} here.`;
    await fsp.writeFile(corpus, Array.from({ length: 12 }, (_, i) => JSON.stringify({ _id: `c${i}`, title: `T${i}`, text: `${sentence(topics[i % 6], i)} Short one.` })).join('\n') + '\n');
    const common = ['train', '--pairs', pairs, '--encoder', 'bow', '--epochs', '1', '--batch-size', '4', '--group-size', '2', '--backend', 'wasm', '--checkpoint-every', '0', '--quiet'];
    const t = lrat(...common, '--out', path.join(tmp, 'cloze'), '--cloze-corpus', corpus, '--cloze-pairs', '8');
    expect(t.stderr).toMatch(/cloze-corpus\.jsonl: \+ 8 inverse-cloze pairs \(a sentence → its passage\), seed 0/);
    // 12 rows + 8 pairs in batches of 4: 5 steps where the rows alone take 3.
    expect(t.stderr).toMatch(/5 steps in/);
    expect(t.status).toBe(0);
    expect(lrat(...common, '--out', path.join(tmp, 'cloze-half'), '--cloze-pairs', '8').stderr).toMatch(/--cloze-corpus and --cloze-pairs go together/);
  });

  it('--wise-ft writes the trained weights moved back toward the starting model, and says so in encoder.json', async () => {
    const pairs = path.join(tmp, 'pairs-wise.jsonl');
    await writePairs(pairs);
    const common = ['train', '--pairs', pairs, '--encoder', 'bow', '--epochs', '1', '--batch-size', '4', '--group-size', '2', '--backend', 'wasm', '--checkpoint-every', '0', '--quiet'];
    expect(lrat(...common, '--out', path.join(tmp, 'wise-1')).status).toBe(0);
    const t = lrat(...common, '--out', path.join(tmp, 'wise-half'), '--wise-ft', '0.5');
    expect(t.status).toBe(0);
    const [full, half] = await Promise.all(['wise-1', 'wise-half'].map(async (d) => JSON.parse(await fsp.readFile(path.join(tmp, d, 'encoder.json'), 'utf8'))));
    expect(half.wiseFtAlpha).toBe(0.5);
    expect(full.wiseFtAlpha).toBeUndefined();
    expect(half.version).not.toBe(full.version);
    expect(lrat(...common, '--out', path.join(tmp, 'wise-bad'), '--wise-ft', '1.5').stderr).toMatch(/wiseFtAlpha must be in \[0, 1\], got 1.5/);
  });

  it('fine-tunes every layer of USE-lite (--encoder use), then embeds queries with the result', async () => {
    const pairs = path.join(tmp, 'pairs-use.jsonl');
    await writePairs(pairs);
    const model = path.join(tmp, 'model-use');
    const t = lrat('train', '--pairs', pairs, '--encoder', 'use', '--out', model, '--epochs', '1', '--batch-size', '4', '--group-size', '2', '--passage-max-len', '16', '--query-max-len', '8', '--backend', 'wasm', '--checkpoint-every', '0', '--quiet');
    expect(t.stderr).toMatch(/3 steps in [\d.]+ s on wasm/);
    expect(t.status).toBe(0);
    const manifest = JSON.parse(await fsp.readFile(path.join(model, 'encoder.json'), 'utf8'));
    expect(manifest).toMatchObject({ kind: 'use', dim: 512, config: { passageMaxLength: 16, queryMaxLength: 8, trainLayers: 'all' } });
    expect(manifest.weights.map((w: { name: string }) => w.name)).toEqual(expect.arrayContaining(['embeddings', 'layer_0/attention/query/kernel', 'layer_1/ffn/conv2/kernel', 'pooler/kernel']));
    const queries = path.join(tmp, 'queries-use.jsonl');
    await fsp.writeFile(queries, '{"_id": "q1", "text": "what about lava"}\n{"_id": "q2", "text": "vulcão ✓"}\n');
    const emb = path.join(tmp, 'emb-use');
    const e = lrat('encode', '--model', model, '--input', queries, '--side', 'query', '--out', emb, '--backend', 'wasm', '--quiet');
    expect(e.status).toBe(0);
    const m = JSON.parse(await fsp.readFile(path.join(emb, 'manifest.json'), 'utf8'));
    expect(m).toMatchObject({ side: 'query', count: 2, dim: 512, model: { id: 'use', version: manifest.version } });
    expect(lrat('train', '--pairs', pairs, '--encoder', 'bow', '--train-layers', '1', '--out', path.join(tmp, 'x'), '--quiet').stderr).toMatch(/--train-layers only apply to --encoder use or a transformer folder, not --encoder bow/);
  });

  it('--train-sides query trains the USE-lite query tower only; refuses sides an encoder cannot train', async () => {
    const pairs = path.join(tmp, 'pairs-use-q.jsonl');
    await writePairs(pairs);
    const model = path.join(tmp, 'model-use-q');
    const t = lrat('train', '--pairs', pairs, '--encoder', 'use', '--train-sides', 'query', '--out', model, '--epochs', '1', '--batch-size', '4', '--group-size', '2', '--query-max-len', '8', '--backend', 'wasm', '--checkpoint-every', '0', '--quiet');
    expect(t.stderr).toMatch(/3 steps in [\d.]+ s on wasm/);
    expect(t.status).toBe(0);
    const manifest = JSON.parse(await fsp.readFile(path.join(model, 'encoder.json'), 'utf8'));
    expect(manifest).toMatchObject({ kind: 'use', config: { trainSides: 'query', queryMaxLength: 8 } });
    const refused = (...args: string[]) => lrat('train', '--pairs', pairs, ...args, '--out', path.join(tmp, 'x'), '--quiet').stderr;
    expect(refused('--encoder', 'use', '--train-sides', 'document')).toMatch(/--train-sides for --encoder use must be both, query, got document/);
    expect(refused('--encoder', 'bow', '--train-sides', 'query')).toMatch(/--train-sides only applies to --encoder use-adapter or use, not --encoder bow/);
    expect(refused('--encoder', 'use', '--train-sides', 'left')).toMatch(/Invalid values:[\s\S]*train-sides/);
  });

  it('trains on the satisfied rows only, says how many it used and skipped, and keeps all with --include-unsatisfied', async () => {
    const pairs = path.join(tmp, 'judged.jsonl');
    const rows = topics.map((t, i) => ({ query: `what about ${t}`, pos: [`${t} article`], neg: [`${topics[(i + 1) % topics.length]} article`], satisfied: i % 3 !== 0, reweight_rate: 1 }));
    await fsp.writeFile(pairs, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const run = (...extra: string[]) => lrat('train', '--pairs', pairs, '--encoder', 'bow', '--out', path.join(tmp, `judged-${extra.length}`), '--epochs', '1', '--batch-size', '1', '--group-size', '2', '--backend', 'wasm', '--quiet', ...extra);
    const judged = run();
    expect(judged.stderr).toContain(`${pairs}: training on 4 rows, skipped 2 unsatisfied`);
    expect(judged.stderr).toMatch(/ 4 steps in /);
    expect(judged.status).toBe(0);
    const all = run('--include-unsatisfied');
    expect(all.stderr).toContain('training on 6 rows, skipped 0 unsatisfied (--include-unsatisfied: every row kept)');
    expect(all.stderr).toMatch(/ 6 steps in /);
    expect(all.status).toBe(0);
  });

  it('names the file and line of a bad pairs record', async () => {
    const pairs = path.join(tmp, 'bad.jsonl');
    await fsp.writeFile(pairs, '{"query": "q", "pos": ["p"]}\n{"query": "q", "pos": ["p"], "neg": "n"}\n');
    const t = lrat('train', '--pairs', pairs, '--encoder', 'bow', '--out', path.join(tmp, 'bad-model'), '--quiet', '--backend', 'wasm');
    expect(t.status).toBe(1);
    expect(t.stderr).toContain(`${pairs}:2: field "neg" must be an array of strings`);
  });

  it('lists both commands with examples in --help', () => {
    const h = lrat('train', '--help');
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/--group-size/);
    expect(h.stdout).toMatch(/Examples:/);
    expect(lrat('encode', '--help').stdout).toMatch(/--side/);
  });
});
