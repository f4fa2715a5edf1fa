// `nx run indexer:bench`: @lrat/indexer (faiss-node, built against Debian's libfaiss) side by side with
// Debian's python3-faiss on the same vectors in the same run, plus BM25 queries/s on SciFact.
// Data: n × dim uniform random vectors (mulberry32, seed 1), L2-normalised; 1000 queries (seed 2).
// Options: --n 100000 --dim 256 --queries 1000 --single 200 --ef-search 64 --repeats 3 --flat-only --out tmp/bench/indexer.json
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadCorpus, loadQueries, readQrels, writeFileAtomicSync, type Hit } from '@lrat/core';
import * as indexer from '../src';
import { randomVectors } from '../src/testing';

const root = path.resolve(__dirname, '../../..');

function option(name: string, fallback: string | number): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : String(fallback);
}
const n = Number(option('n', 100000));
const dim = Number(option('dim', 256));
const nq = Number(option('queries', 1000));
const nSingle = Number(option('single', 200));
const efSearch = Number(option('ef-search', 64));
// The machine is shared: every search measurement (and the cheap Flat add) is repeated, best kept.
const repeats = Number(option('repeats', 3));
// --flat-only skips HNSW32, whose 100k add takes minutes on a busy 2-core machine.
const factories = process.argv.includes('--flat-only') ? ['Flat'] : ['Flat', 'HNSW32,Flat'];
const outFile = path.resolve(root, option('out', 'tmp/bench/indexer.json'));

const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const now = () => process.hrtime.bigint();

const log = (line: string) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);

interface OursRow {
  add_s: number;
  add_per_s: number;
  batch_qps: number;
  single_qps: number;
  recall_at_10?: number;
}

function measureOurs(base: Float32Array, queries: Float32Array): Record<string, OursRow> {
  const ids = Array.from({ length: n }, (_, i) => `doc-${i}`);
  const out: Record<string, OursRow> = {};
  let truth: Hit[][] | undefined;
  for (const factory of factories) {
    let index = indexer.DenseIndex.create({ dim, factory });
    let addS = Infinity;
    for (let r = 0; r < (factory === 'Flat' ? repeats : 1); r++) {
      if (r > 0) index = indexer.DenseIndex.create({ dim, factory });
      log(`ours: ${factory} add ${n} vectors`);
      const t = now();
      index.add(ids, base);
      addS = Math.min(addS, seconds(t));
    }
    if (factory.startsWith('HNSW')) index.setSearchParams({ efSearch });
    log(`ours: ${factory} search`);
    let results: Hit[][] = [];
    let batchS = Infinity;
    let singleS = Infinity;
    for (let r = 0; r < repeats; r++) {
      let t = now();
      results = index.searchBatch(queries, 10);
      batchS = Math.min(batchS, seconds(t));
      t = now();
      for (let i = 0; i < nSingle; i++) index.search(queries.subarray((i % nq) * dim, ((i % nq) + 1) * dim), 10);
      singleS = Math.min(singleS, seconds(t));
    }
    const row: OursRow = { add_s: addS, add_per_s: n / addS, batch_qps: nq / batchS, single_qps: nSingle / singleS };
    if (!truth) truth = results;
    else {
      let sum = 0;
      results.forEach((hits, q) => {
        const exact = new Set((truth as Hit[][])[q].map((h) => h.docid));
        sum += hits.filter((h) => exact.has(h.docid)).length / 10;
      });
      row.recall_at_10 = sum / nq;
    }
    out[factory] = row;
  }
  return out;
}

type PythonResult = { error: string } | ({ error?: undefined; faiss_version: string; omp_threads: number } & Record<string, Record<string, number>>);

function measurePython(baseFile: string, queryFile: string): PythonResult {
  const python = '/usr/bin/python3';
  if (!fs.existsSync(python)) return { error: `${python} not found` };
  log('python3-faiss: same measurements');
  const r = spawnSync(python, [path.join(root, 'tools/bench/faiss-reference.py'), baseFile, queryFile, n, dim, nq, nSingle, efSearch, repeats, factories.join(';')].map(String), { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return { error: `python3-faiss failed (is python3-faiss installed?): ${(r.stderr || '').trim().split('\n').pop()}` };
  return JSON.parse(r.stdout);
}

async function measureBm25() {
  log('BM25 on SciFact');
  const data = path.join(root, 'data/scifact');
  let t = now();
  const docs = await loadCorpus(path.join(data, 'corpus.jsonl'));
  const index = indexer.Bm25Index.build(docs);
  const buildS = seconds(t);
  const qrels = await readQrels(path.join(data, 'qrels/test.tsv'));
  const queries = await loadQueries(path.join(data, 'queries.jsonl'));
  for (const q of queries.slice(0, 50)) index.search(q.text, 100); // warm the JIT and the stem cache
  const latencies: number[] = [];
  const run = new Map<string, Hit[]>();
  t = now();
  for (const q of queries) {
    const t1 = now();
    const hits = index.search(q.text, 100);
    latencies.push(seconds(t1) * 1000);
    run.set(q.id, hits);
  }
  const totalS = seconds(t);
  latencies.sort((a, b) => a - b);
  const { mean } = indexer.evaluateRun(run, qrels, indexer.parseMetrics('ndcg@10,recall@100'));
  return {
    docs: docs.length, queries: queries.length, build_s: buildS, qps: queries.length / totalS,
    p50_ms: latencies[Math.floor(latencies.length / 2)], p95_ms: latencies[Math.floor(latencies.length * 0.95)],
    ndcg_at_10: mean['ndcg@10'], recall_at_100: mean['recall@100'],
  };
}

const fmt = (v: number | undefined, digits = 0) => (v === undefined ? '—' : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

async function main() {
  console.log(`indexer bench: ${n} × ${dim} random L2-normalised vectors (seed 1), ${nq} queries (seed 2), k=10, HNSW32 efSearch=${efSearch}, best of ${repeats} (HNSW add: 1); ${os.cpus().length} cores, ${os.cpus()[0].model}`);
  const base = indexer.normalizeRows(randomVectors(n, dim, 1), dim);
  const queries = indexer.normalizeRows(randomVectors(nq, dim, 2), dim);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lrat-indexer-bench-'));
  const baseFile = path.join(tmp, 'base.f32');
  const queryFile = path.join(tmp, 'queries.f32');
  fs.writeFileSync(baseFile, Buffer.from(base.buffer, base.byteOffset, base.byteLength));
  fs.writeFileSync(queryFile, Buffer.from(queries.buffer, queries.byteOffset, queries.byteLength));
  try {
    const ours = measureOurs(base, queries);
    const py = measurePython(baseFile, queryFile);
    const rows: string[][] = [];
    const measures: [string, keyof OursRow, number][] = [['add (vectors/s)', 'add_per_s', 0], [`search batch ${nq} (QPS)`, 'batch_qps', 0], ['search batch 1 (QPS)', 'single_qps', 0], ['recall@10 vs Flat', 'recall_at_10', 4]];
    for (const factory of factories) {
      for (const [label, key, digits] of measures) {
        const a = ours[factory][key];
        if (a === undefined) continue;
        const b = py.error !== undefined ? undefined : py[factory][key];
        rows.push([factory, label, fmt(a, digits), fmt(b, digits), b ? `${(a / b).toFixed(2)}×` : '—']);
      }
    }
    const header = ['index', 'measure', '@lrat/indexer', 'python3-faiss', 'ratio'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
    console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}`);
    if (py.error !== undefined) console.log(`\n(reference not run: ${py.error})`);
    else console.log(`\nreference: python3-faiss ${py.faiss_version}, ${py.omp_threads} OpenMP threads; ours: faiss-node 0.5.1 on the same libfaiss, Float32Array add/search`);
    const bm25 = await measureBm25();
    console.log(
      `\nBM25 SciFact (${bm25.docs} docs, ${bm25.queries} queries, k=100, one query per call): build ${bm25.build_s.toFixed(2)} s, ` +
        `${fmt(bm25.qps)} queries/s, latency p50 ${bm25.p50_ms.toFixed(2)} ms p95 ${bm25.p95_ms.toFixed(2)} ms; ` +
        `test qrels (300): nDCG@10 ${bm25.ndcg_at_10.toFixed(4)} (Anserini 0.6789), Recall@100 ${bm25.recall_at_100.toFixed(4)} (Anserini 0.9253)`,
    );
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileAtomicSync(outFile, JSON.stringify({ config: { n, dim, nq, nSingle, efSearch, repeats, cores: os.cpus().length }, ours, python: py, bm25 }, null, 2));
    console.log(`\nresults written to ${path.relative(root, outFile)}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
