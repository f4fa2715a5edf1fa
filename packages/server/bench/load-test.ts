// `nx run server:bench`: a bounded load test of the HTTP search API on 127.0.0.1 (≤ 30 s of load).
// For BM25 and Flat dense indexes over data/multihop-wiki: throughput and p50/p99 latency of
// POST /v1/search (k=10, Qwen3 64-token snippets, every request in a recorded session), errors, and
// the number of log events lost (search steps in the trajectory files vs. searches answered 200).
// Reference, same run: the same queries straight through the in-process searcher (no HTTP, no
// snippets, no logging, one at a time). Then a kill -9 in the middle of load: the log must recover
// and read with @lrat/trajectory's reader with no error, holding every answered search.
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { readCorpus, readQueries } from '@lrat/core';
import { Bm25Index, DenseIndex, openSearcher, saveIndex } from '@lrat/indexer';
import { createEncoder, loadEncoder, selectBackend } from '@lrat/trainer';
import { readTrajectories } from '@lrat/trajectory';
import { SessionLog } from '../src';
import type { Doc } from '@lrat/core';

const root = path.resolve(__dirname, '../../..');
const data = path.join(root, 'data/multihop-wiki');
const work = path.join(root, 'tmp/server-bench');
const LOAD_SECONDS = Number(process.env.LRAT_BENCH_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.LRAT_BENCH_CONCURRENCY ?? 8);
const SEARCHES_PER_SESSION = 5;

interface LoadResult {
  ok: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
  sessions: Set<string>;
}

async function main(): Promise<void> {
  fs.mkdirSync(work, { recursive: true });
  const corpus = path.join(data, 'corpus.jsonl');
  const queries: string[] = [];
  for await (const q of readQueries(path.join(data, 'queries.jsonl'))) queries.push(q.text);
  const bm25Dir = path.join(work, 'bm25');
  const flatDir = path.join(work, 'flat-bow');
  await ensureIndexes(corpus, bm25Dir, flatDir);

  const rows: string[] = [];
  const refs = new Map<string, { qps: number; p50: number }>();
  // Snippets: qwen3 as the official tool, cold (computed on first use) or warm (precomputed at start,
  // the `lrat serve` default), and whitespace (cheap) to show what tokenization costs.
  const configs = [
    ['BM25', bm25Dir, 'qwen3', false],
    ['BM25', bm25Dir, 'qwen3', true],
    ['BM25', bm25Dir, 'whitespace', false],
    ['Flat dense (bow encoder)', flatDir, 'qwen3', true],
    ['Flat dense (bow encoder)', flatDir, 'whitespace', false],
  ] as const;
  for (const [name, dir, tokenizer, warm] of configs) {
    if (!refs.has(dir)) refs.set(dir, await reference(dir, queries));
    const ref = refs.get(dir) as { qps: number; p50: number };
    const logDir = freshDir(`log-${path.basename(dir)}-${tokenizer}${warm ? '-warm' : ''}`);
    const child = await startChild(dir, corpus, logDir, tokenizer, warm);
    if (child.warm) console.log(`${name}: ${child.warm}`);
    const load = await runLoad(child.url, queries, LOAD_SECONDS * 1000);
    await stopChild(child.proc);
    const steps = await countSearchSteps(logDir);
    rows.push(
      `| ${name} | ${tokenizer}${tokenizer === 'qwen3' ? (warm ? ' (warm)' : ' (cold)') : ''} | ${(load.ok / load.seconds).toFixed(0)} | ${pct(load.latenciesMs, 50).toFixed(1)} | ${pct(load.latenciesMs, 99).toFixed(1)} | ` +
        `${load.errors} | ${load.ok - steps.searches} | ${ref.qps.toFixed(0)} | ${ref.p50.toFixed(2)} |`,
    );
    console.log(`${name}, ${tokenizer}${warm ? ' warm' : ''} snippets: ${load.ok} searches in ${load.seconds.toFixed(1)} s, ${load.errors} errors, ${steps.searches} logged in ${steps.trajectories} trajectories (${steps.readErrors} read errors)`);
    if (load.ok !== steps.searches || steps.readErrors > 0 || load.errors > 0) process.exitCode = 1;
  }

  // kill -9 in the middle of load: what was answered must be in the log after recovery.
  const logDir = freshDir('log-kill9');
  const child = await startChild(bm25Dir, corpus, logDir);
  const killAt = 3000;
  const loadP = runLoad(child.url, queries, killAt + 2000, true);
  await new Promise((r) => setTimeout(r, killAt));
  child.proc.kill('SIGKILL');
  const load = await loadP;
  const recovered = new SessionLog({ dir: logDir }).recover();
  const steps = await countSearchSteps(logDir);
  const lost = load.ok - steps.searches;
  console.log(
    `kill -9 after ${killAt / 1000} s of load: ${load.ok} searches answered, ${load.errors} failed by the kill; recovered ${recovered.recovered} open sessions ` +
      `(${recovered.skippedLines} torn lines); log holds ${steps.searches} searches in ${steps.trajectories} trajectories, read errors ${steps.readErrors}; answered but lost: ${Math.max(0, lost)}`,
  );

  console.log(`\nLoad test: ${LOAD_SECONDS} s per row, ${CONCURRENCY} concurrent keep-alive clients on 127.0.0.1, POST /v1/search k=10, 64-token snippets,`);
  console.log(`every request in a recorded session of ${SEARCHES_PER_SESSION} searches (closed via /v1/sessions/:id/close); queries = data/multihop-wiki/queries.jsonl in order.`);
  console.log('Reference (same run) = the same queries through the in-process searcher, one at a time, no HTTP/snippets/logging.\n');
  console.log(`| index | snippets | req/s (${CONCURRENCY} clients) | p50 ms | p99 ms | errors | lost log events | reference q/s | reference p50 ms |`);
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  if (lost > 0 || steps.readErrors > 0) process.exitCode = 1;
  console.log(`\nMachine: ${os.cpus().length} cores (shared), load average at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}.`);
}

async function ensureIndexes(corpus: string, bm25Dir: string, flatDir: string): Promise<void> {
  const docs: Doc[] = [];
  const need = !fs.existsSync(path.join(bm25Dir, 'manifest.json')) || !fs.existsSync(path.join(flatDir, 'manifest.json'));
  if (!need) return;
  for await (const d of readCorpus(corpus)) docs.push(d);
  if (!fs.existsSync(path.join(bm25Dir, 'manifest.json'))) {
    const t = Date.now();
    await saveIndex(bm25Dir, Bm25Index.build(docs));
    console.log(`built BM25 index of ${docs.length} docs in ${Date.now() - t} ms`);
  }
  if (!fs.existsSync(path.join(flatDir, 'manifest.json'))) {
    // Latency only: a seeded, untrained bag-of-words encoder (Qwen3 tokens → 256-d), so query
    // encoding and Flat (exact inner product) search cost what they cost; the ranking quality is not measured here.
    await selectBackend({ log: () => undefined });
    const encDir = path.join(work, 'bow-encoder');
    const enc = await createEncoder('bow', { seed: 7 });
    fs.rmSync(encDir, { recursive: true, force: true });
    await enc.save(encDir);
    const t = Date.now();
    const idx = await DenseIndex.build(docs, enc, { factory: 'Flat' });
    await saveIndex(flatDir, idx, { encoder: { id: enc.id, version: enc.version, path: encDir } });
    console.log(`built Flat dense index (bow encoder, dim ${enc.dim}) of ${docs.length} docs in ${Date.now() - t} ms (cached in ${flatDir})`);
  }
}

async function reference(dir: string, queries: string[]): Promise<{ qps: number; p50: number }> {
  const searcher = await openSearcher(dir, {
    loadEmbedder: async (ref) => {
      await selectBackend({ log: () => undefined });
      return loadEncoder(ref.path);
    },
  });
  for (const q of queries.slice(0, 20)) await searcher.search(q, 10);
  const lat: number[] = [];
  const t0 = process.hrtime.bigint();
  const deadline = Date.now() + 3000;
  for (let i = 0; Date.now() < deadline; i++) {
    const t = process.hrtime.bigint();
    await searcher.search(queries[i % queries.length], 10);
    lat.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { qps: lat.length / secs, p50: pct(lat, 50) };
}

async function runLoad(url: string, queries: string[], ms: number, tolerateKill = false): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const res: LoadResult = { ok: 0, errors: 0, seconds: 0, latenciesMs: [], sessions: new Set() };
  const t0 = Date.now();
  let next = 0;
  let dead = false;
  const worker = async (w: number) => {
    let n = 0;
    while (!dead && Date.now() - t0 < ms) {
      const session = `bench-w${w}-s${Math.floor(n / SEARCHES_PER_SESSION)}`;
      const q = queries[next++ % queries.length];
      const t = process.hrtime.bigint();
      try {
        const r = await post(agent, `${url}/v1/search`, { query: q, k: 10, session });
        if (r.status === 200 && JSON.parse(r.body).results.length > 0) {
          res.ok++;
          res.latenciesMs.push(Number(process.hrtime.bigint() - t) / 1e6);
          res.sessions.add(session);
        } else res.errors++;
        n++;
        if (n % SEARCHES_PER_SESSION === 0) await post(agent, `${url}/v1/sessions/${session}/close`, {});
      } catch {
        res.errors++;
        if (tolerateKill) dead = true;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
  res.seconds = (Date.now() - t0) / 1000;
  agent.destroy();
  return res;
}

function post(agent: http.Agent, url: string, body: unknown): Promise<{ status: number; body: string }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      r.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function countSearchSteps(dir: string): Promise<{ searches: number; trajectories: number; readErrors: number }> {
  let searches = 0;
  let trajectories = 0;
  let readErrors = 0;
  for await (const item of readTrajectories([dir], { format: 'jsonl' })) {
    if (!item.ok) {
      readErrors++;
      console.log(`read error: ${item.error.message}`);
      continue;
    }
    trajectories++;
    searches += item.trajectory.steps.filter((s) => s.type === 'search').length;
  }
  return { searches, trajectories, readErrors };
}

async function startChild(index: string, corpus: string, logDir: string, tokenizer = 'qwen3', warm = false): Promise<{ proc: ChildProcess; url: string; warm?: string }> {
  const args = [path.join(__dirname, 'serve-child.ts'), index, corpus, logDir, tokenizer, ...(warm ? ['warm'] : [])];
  const proc = spawn(process.execPath, ['-r', '@swc-node/register', ...args], {
    cwd: root,
    env: { ...process.env, SWC_NODE_PROJECT: path.join(root, 'tsconfig.base.json') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /LISTENING (\S+)/.exec(out);
      const w = /WARM (\d+) (\d+)/.exec(out);
      if (m && !warm) resolve({ proc, url: m[1] });
      if (m && w) resolve({ proc, url: m[1], warm: `snippets of ${w[1]} docs precomputed in ${w[2]} ms before the load` });
    });
    proc.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
  });
}

function stopChild(proc: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGTERM');
  });
}

function freshDir(name: string): string {
  const d = path.join(work, name);
  fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(d, { recursive: true });
  return d;
}

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
