import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { readManifest, readTrecRun } from '@lrat/indexer';
import { HashingEmbedder } from '@lrat/indexer/testing';
import { runIndex, type IndexArgs } from './index-corpus';
import { formatHitsTable, runSearch, type SearchArgs } from './search';
import { runEval } from './eval';

const repo = path.resolve(__dirname, '../../../..');
const tmp = mkdtempSync(path.join(tmpdir(), 'lrat-cli-retrieval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const corpus = path.join(tmp, 'corpus.jsonl');
const queries = path.join(tmp, 'queries.jsonl');
const qrels = path.join(tmp, 'qrels.tsv');
writeFileSync(
  corpus,
  [
    { _id: 'cats', title: 'Cats', text: 'cats purr and chase mice around the house' },
    { _id: 'dogs', title: 'Dogs', text: 'dogs bark and fetch sticks in the park' },
    { _id: 'rain', title: 'Rain', text: 'rain falls from grey clouds in autumn' },
    { _id: 'sun', title: 'Sun', text: 'the sun shines on the park in summer' },
  ].map((d) => JSON.stringify(d)).join('\n'),
);
writeFileSync(queries, ['{"_id":"q1","text":"which animal chases mice"}', '{"_id":"q2","text":"grey clouds rain"}'].join('\n'));
writeFileSync(qrels, 'query-id\tcorpus-id\tscore\nq1\tcats\t1\nq2\train\t1\n');

const indexArgs = (over: Partial<IndexArgs>): IndexArgs => ({ corpus, encoder: 'bm25', factory: 'Flat', out: '', hybrid: false, k1: 0.9, b: 0.4, batchSize: 2, quiet: true, ...over });
const searchArgs = (over: Partial<SearchArgs>): SearchArgs => ({ index: '', k: 10, json: false, tag: 'lrat', batchSize: 256, quiet: true, ...over });
const silent = () => undefined;

describe('lrat index | search | eval (functions)', () => {
  const embedder = new HashingEmbedder(32);
  const loadEmbedder = async () => embedder;

  it('indexes BM25, searches a table and JSON, writes a TREC run and evaluates it', async () => {
    const out = path.join(tmp, 'bm25');
    const manifest = await runIndex(indexArgs({ out }), { say: silent });
    expect(manifest).toMatchObject({ kind: 'bm25', count: 4 });
    let text = '';
    const hits = (await runSearch(searchArgs({ index: out, query: 'fetch sticks', k: 2, corpus }), { write: (t) => (text += t), say: silent })).hits!;
    expect(hits[0].docid).toBe('dogs');
    expect(text).toMatch(/^rank\s+score\s+docid\s+text\n-+\n\s+1\s+\d+\.\d{4}\s+dogs\s+Dogs — dogs bark/);
    let json = '';
    await runSearch(searchArgs({ index: out, query: 'fetch sticks', k: 1, json: true }), { write: (t) => (json += t), say: silent });
    expect(JSON.parse(json)).toMatchObject({ query: 'fetch sticks', index: { kind: 'bm25', version: manifest.checksum }, hits: [{ docid: 'dogs', rank: 1 }] });
    const run = path.join(tmp, 'bm25.trec');
    await runSearch(searchArgs({ index: out, queries, k: 3, run, tag: 'bm25' }), { say: silent });
    const parsed = await readTrecRun(run);
    expect(parsed.get('q1')![0].docid).toBe('cats');
    expect(readFileSync(run, 'utf8').split('\n')[0]).toMatch(/^q1 Q0 cats 1 [\d.]+ bm25$/);
    let report = '';
    const r = await runEval({ run, qrels, metrics: 'ndcg@10,recall@1', perQuery: true, json: false, complete: false, relevanceLevel: 1 }, (t) => (report += t));
    expect(r.mean['recall@1']).toBe(1);
    expect(report).toMatch(/^ndcg@10\s*\tq1\t1\.0000$/m);
    expect(report).toMatch(/^recall@1\s*\tall\t1\.0000$/m);
  });

  it('indexes with an encoder (dense and hybrid) and records it in the manifest', async () => {
    const modelDir = path.join(tmp, 'model');
    for (const hybrid of [false, true]) {
      const out = path.join(tmp, hybrid ? 'hybrid' : 'dense');
      const manifest = await runIndex(indexArgs({ out, encoder: modelDir, factory: 'HNSW8,Flat', hybrid, efSearch: 32 }), { loadEmbedder, say: silent });
      expect(manifest).toMatchObject({ kind: hybrid ? 'hybrid' : 'dense', dims: 32, encoder: { id: 'hashing', version: embedder.version, path: modelDir } });
      const { hits, searcher } = await runSearch(searchArgs({ index: out, query: 'grey clouds', k: 2, json: true }), { loadEmbedder, write: silent, say: silent });
      expect(searcher.kind).toBe(hybrid ? 'hybrid' : 'dense');
      expect(hits![0].docid).toBe('rain');
    }
    expect((await readManifest(path.join(tmp, 'hybrid', 'dense'))).params).toEqual({ efSearch: 32 });
  });

  it('explains wrong usage', async () => {
    await expect(runSearch(searchArgs({ index: path.join(tmp, 'bm25') }), { say: silent })).rejects.toThrow(/exactly one of --query/);
    await expect(runSearch(searchArgs({ index: path.join(tmp, 'bm25'), queries }), { say: silent })).rejects.toThrow(/needs --run/);
    await expect(runIndex(indexArgs({ out: path.join(tmp, 'x'), hybrid: true }), { say: silent })).rejects.toThrow(/--hybrid needs a dense encoder/);
    await expect(runIndex(indexArgs({ out: path.join(tmp, 'x'), encoder: 'm', factory: 'LSH' }), { loadEmbedder, say: silent })).rejects.toThrow(/unsupported FAISS factory/);
    expect(existsSync(path.join(tmp, 'x'))).toBe(false);
    await expect(runEval({ run: path.join(tmp, 'bm25.trec'), qrels, metrics: 'bleu', perQuery: false, json: false, complete: false, relevanceLevel: 1 }, silent)).rejects.toThrow(/unknown metric/);
    expect(formatHitsTable([])).toBe('(no results)\n');
  });
});

describe('lrat (built CLI) on SciFact', () => {
  const lrat = (...args: string[]) => spawnSync(process.execPath, [path.join(repo, 'apps/cli/bin/lrat.js'), ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, LRAT_PROGRESS: 'silent' } });

  it('BM25 index → batch search → eval reproduces the Anserini bar', () => {
    const data = path.join(repo, 'data/scifact');
    const idx = path.join(tmp, 'scifact-bm25');
    const run = path.join(tmp, 'scifact.trec');
    const a = lrat('index', '--corpus', path.join(data, 'corpus.jsonl'), '--encoder', 'bm25', '--out', idx, '--quiet');
    expect(a.stderr).toMatch(/bm25 index \(bm25\) of 5183 documents/);
    expect(a.status).toBe(0);
    const b = lrat('search', '--index', idx, '--queries', path.join(data, 'queries.jsonl'), '-k', '100', '--run', run, '--tag', 'bm25');
    expect(b.status).toBe(0);
    const c = lrat('eval', '--run', run, '--qrels', path.join(data, 'qrels/test.tsv'), '--metrics', 'ndcg@10,recall@100', '--json');
    expect(c.status).toBe(0);
    const { mean, queries: n } = JSON.parse(c.stdout);
    expect(n).toBe(300);
    expect(Math.abs(mean['ndcg@10'] - 0.6789)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(mean['recall@100'] - 0.9253)).toBeLessThanOrEqual(0.01);
    const bad = lrat('search', '--index', path.join(tmp, 'nowhere'), '--query', 'x');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/cannot load index .*nowhere: manifest\.json is missing/);
  });
});
