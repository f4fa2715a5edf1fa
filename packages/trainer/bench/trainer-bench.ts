// `nx run trainer:bench`: ms per training step and examples/s of each encoder at batch 32, group 10,
// on every tfjs backend that initialises here, beside the same model and loss in PyTorch CPU
// (tools/bench/trainer_reference.py) when python3-torch is installed. Each (backend, encoder) runs
// in its own process so its peak RSS is its own. Inputs: 32 multihop-wiki questions and 320 corpus
// paragraphs (fixed seed); the use-adapter's frozen USE embeddings come from the disk cache (as in
// training), so a step is adapters + loss + AdamW; bow steps include tokenisation.
import { spawnSync } from 'child_process';
import { promises as fsp, readFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_NAMES, createEncoder, selectBackend, weightedInfoNce, type Encoder } from '../src';
import { AdamW } from '../src/adamw';
import { BowEncoder, qwen3Tokenize } from '../src/encoders/bow';
import { UseAdapterEncoder } from '../src/encoders/use-adapter';
import { layoutBatch } from '../src/groups';
import { Rng } from '../src/rng';
import { minilmModel, timeSteps, useModel, type BenchModel, type StepShape } from './transformer-step';

const ROOT = path.resolve(__dirname, '../../..');
const PYTHON = '/usr/bin/python3';
const OUT = path.join(ROOT, 'tmp', 'bench', 'trainer');
const CACHE = path.join(ROOT, 'tmp', 'bench', 'embedding-cache');
const BATCH = 32;
const GROUP = 10;
const ENCODERS = ['use-adapter', 'bow'] as const;
const CHILD_TIMEOUT_MS = Number(process.env.LRAT_BENCH_TIMEOUT_S ?? 180) * 1000;
// Transformer rows: full fine-tuning steps of a MiniLM-shaped BERT and of USE-lite on the wasm backend
// on one thread and data-parallel over worker threads, each beside PyTorch CPU on as many threads, same
// shapes. The issue's batch (32 queries × 8
// passages × 128 tokens) takes PyTorch ≈ 36 s a step on one core; the default is scaled down to keep
// the bench within minutes on a shared 2-core machine: LRAT_BENCH_TRANSFORMER=queries,group,tokens
// (e.g. 32,8,128 for the full batch; "off" skips the rows), timed steps from `--steps N` (or
// LRAT_BENCH_TRANSFORMER_STEPS; default 2; `--steps 1` makes the full batch affordable); LRAT_BENCH_MICRO_BATCH=n runs the tfjs
// side with gradient caching in micro-batches of n texts (what a batch that size needs on wasm). LRAT_BENCH_TRANSFORMER_BACKEND picks
// another tfjs backend for them (e.g. node-gpu or webgpu on a GPU machine).
const TRANSFORMER = process.env.LRAT_BENCH_TRANSFORMER ?? '2,8,128';
const TRANSFORMER_BACKEND = process.env.LRAT_BENCH_TRANSFORMER_BACKEND ?? 'wasm';
const TRANSFORMER_TIMEOUT_MS = Number(process.env.LRAT_BENCH_TRANSFORMER_TIMEOUT_S ?? 900) * 1000;
const TRANSFORMER_MODELS = ['minilm', 'use'] as const;
// The query-tower rows: USE-lite's query tower trained against frozen passage vectors (what
// `--encoder use` studies train), at the issue's batch of 32 queries × 10 passages and agent-query
// length (agents' queries average ≈ 11 tokens): LRAT_BENCH_QUERY_TOWER=queries,group,tokens or "off".
const QUERY_TOWER = process.env.LRAT_BENCH_QUERY_TOWER ?? '32,10,16';
type TransformerModel = (typeof TRANSFORMER_MODELS)[number] | 'use-query';
// Thread counts compared: tfjs on one thread vs PyTorch on one, then tfjs data-parallel over N worker
// threads vs PyTorch on N threads (N = the cores here, at least 2).
const THREADS = [...new Set([1, Math.max(2, os.cpus().length)])];
// Gradient caching for the tfjs transformer rows: texts per micro-batch (0 = off, one tape over the
// whole batch). The PyTorch reference never needs it; on wasm it is what keeps the batch under the
// 4 GB heap (the MiniLM step of 18 × 128 tokens in one tape ran out of wasm memory), at the cost of
// one extra forward pass.
const TRANSFORMER_MICRO = Number(process.env.LRAT_BENCH_MICRO_BATCH ?? 6);
// LRAT_BENCH_BACKENDS=wasm,cpu limits the tfjs backends tried (default: all).
const BACKENDS = (process.env.LRAT_BENCH_BACKENDS ? process.env.LRAT_BENCH_BACKENDS.split(',') : [...BACKEND_NAMES]) as string[];

interface Row {
  impl: string;
  backend: string;
  encoder: string;
  /** Transformer rows: tfjs worker threads or PyTorch intra-op threads. */
  threads?: number;
  msPerStep?: number;
  /** Fastest timed step (the CPU is shared: the least disturbed step). */
  minMs?: number;
  examplesPerSec?: number;
  peakRssMb?: number;
  steps?: number;
  note?: string;
}

function batchTexts(): { queries: string[]; passages: string[]; targets: number[]; weights: number[] } {
  const rng = new Rng(42);
  const queries = readFileSync(path.join(ROOT, 'data/multihop-wiki/queries.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).text as string);
  const docs = readFileSync(path.join(ROOT, 'data/multihop-wiki/corpus.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 2000).map((l) => {
    const d = JSON.parse(l);
    return `${d.title} ${d.text}` as string;
  });
  const qs = rng.sample(queries, BATCH);
  const ps = rng.sample(docs, BATCH * GROUP);
  const layout = layoutBatch(qs.map((q, i) => ({ query: q, passages: ps.slice(i * GROUP, (i + 1) * GROUP), weight: 0.5 + rng.next() })));
  return layout;
}

async function makeEncoder(kind: (typeof ENCODERS)[number]): Promise<Encoder> {
  return kind === 'bow' ? new BowEncoder({ seed: 1 }) : createEncoder('use-adapter', { cacheDir: CACHE });
}

/** The median step: the CPU is shared, and a median is robust to another process's bursts. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Child mode: time one (backend, encoder). */
async function one(backend: string, kind: (typeof ENCODERS)[number], steps: number): Promise<Row> {
  const sel = await selectBackend({ prefer: backend, strict: true, log: () => undefined });
  const enc = await makeEncoder(kind);
  const b = batchTexts();
  if (enc.warm) {
    await enc.warm(b.queries, 'query');
    await enc.warm(b.passages, 'document');
  }
  const vars = enc.weights().map((w) => w.variable);
  const opt = new AdamW(vars);
  const step = async () => {
    const qb = await enc.prepare(b.queries, 'query');
    const pb = await enc.prepare(b.passages, 'document');
    const { value, grads } = tf.variableGrads(() => weightedInfoNce({ queries: enc.forward(qb, 'query'), passages: enc.forward(pb, 'document'), targets: b.targets, weights: b.weights, temperature: 0.02 }), vars);
    await value.data();
    opt.step(vars.map((v) => grads[v.name]), 1e-4);
    // Reading one value forces asynchronous backends (webgpu) to finish the update.
    await vars[0].data();
    value.dispose();
    Object.values(grads).forEach((g) => g.dispose());
    qb.dispose();
    pb.dispose();
  };
  await step();
  await step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = process.hrtime.bigint();
    await step();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const ms = median(times);
  return { impl: 'tfjs', backend: sel.name, encoder: kind, msPerStep: ms, examplesPerSec: (BATCH * 1000) / ms, peakRssMb: process.resourceUsage().maxRSS / 1024, steps };
}

/** Writes the exact inputs of a step for the PyTorch reference. */
async function dumpInputs(file: string): Promise<void> {
  await selectBackend({ prefer: 'wasm', log: () => undefined });
  const b = batchTexts();
  const use = (await createEncoder('use-adapter', { cacheDir: CACHE })) as UseAdapterEncoder;
  const qBase = await use.baseEmbeddings(b.queries, 'query');
  const pBase = await use.baseEmbeddings(b.passages, 'document');
  const bow = new BowEncoder({ seed: 1 });
  const cfg = bow.config() as { buckets: number; maxTokens: number; embeddingDim: number; dim: number };
  const tok = qwen3Tokenize();
  const ids = (texts: string[]) => texts.map((t) => tok(t).slice(0, cfg.maxTokens).map((x) => x % cfg.buckets));
  await fsp.writeFile(
    file,
    JSON.stringify({
      batch: BATCH,
      group: GROUP,
      temperature: 0.02,
      targets: b.targets,
      weights: b.weights,
      use: { dim: 512, queries: Array.from(qBase), passages: Array.from(pBase) },
      bow: { buckets: cfg.buckets, embeddingDim: cfg.embeddingDim, dim: cfg.dim, queries: ids(b.queries), passages: ids(b.passages) },
    }),
  );
}

function runChild(args: string[], timeoutMs = CHILD_TIMEOUT_MS): { row?: Row; error?: string } {
  const r = spawnSync(process.execPath, ['-r', '@swc-node/register', __filename, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, SWC_NODE_PROJECT: path.join(ROOT, 'tsconfig.base.json') },
    maxBuffer: 1 << 26,
    timeout: timeoutMs,
  });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { error: `timed out after ${timeoutMs / 1000} s` };
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (r.status === 0) return line ? { row: JSON.parse(line) as Row } : {};
  const lines = r.stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^at |Vulkan|BackendVk/.test(l));
  return { error: (lines.find((l) => /failed to initialise/.test(l)) ?? lines.pop() ?? `exit ${r.status}`).replace(/^Error: /, '').slice(0, 200) };
}

/**
 * Debian's python3-torch, installed through the bootstrap's opt-in benchmark step when missing
 * (apt; needs root or sudo). Returns null when usable, else why not.
 */
function ensureTorch(): string | null {
  const probe = () => spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  if (probe().status === 0) return null;
  process.stderr.write('trainer bench: PyTorch is missing; installing the reference (tools/bootstrap.sh --bench: apt-get install python3-torch)…\n');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'tools/bootstrap/run.js'), '--bench'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) return `python3-torch is not installed and tools/bootstrap.sh --bench failed: ${(r.stderr ?? '').trim().split('\n').pop() ?? `exit ${r.status}`}`;
  return probe().status === 0 ? null : `${PYTHON} still cannot import torch after tools/bootstrap.sh --bench`;
}

function torchReference(inputs: string, steps: number): Row[] {
  const missing = ensureTorch();
  if (missing) return [{ impl: 'pytorch', backend: 'cpu', encoder: '*', note: `unavailable: ${missing}` }];
  const rows: Row[] = [];
  for (const threads of [1, os.cpus().length]) {
    for (const enc of ENCODERS) {
      const r = spawnSync(PYTHON, [path.join(ROOT, 'tools/bench/trainer_reference.py'), '--inputs', inputs, '--encoder', enc, '--steps', String(steps), '--threads', String(threads)], { encoding: 'utf8' });
      if (r.status !== 0) {
        rows.push({ impl: 'pytorch', backend: `cpu×${threads}`, encoder: enc, note: `failed: ${r.stderr.trim().split('\n').pop()}` });
        continue;
      }
      const j = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { ms_per_step: number; peak_rss_kb: number; torch: string };
      rows.push({ impl: `pytorch ${j.torch}`, backend: `cpu×${threads}`, encoder: enc, msPerStep: j.ms_per_step, examplesPerSec: (BATCH * 1000) / j.ms_per_step, peakRssMb: j.peak_rss_kb / 1024, steps });
    }
  }
  return rows;
}

function parseShape(name: string, value: string): StepShape | null {
  if (value === 'off') return null;
  const [queries, group, tokens] = value.split(',').map(Number);
  if (![queries, group, tokens].every((x) => Number.isInteger(x) && x > 0)) throw new Error(`${name} must be "queries,group,tokens" or "off", got "${value}"`);
  return { queries, group, tokens };
}

function transformerShape(): StepShape | null {
  return parseShape('LRAT_BENCH_TRANSFORMER', TRANSFORMER);
}

function queryTowerShape(): StepShape | null {
  return parseShape('LRAT_BENCH_QUERY_TOWER', QUERY_TOWER);
}

/** Distinct words of the first corpus paragraphs: USE-lite's bench texts are drawn from them. */
function corpusWords(): string[] {
  const lines = readFileSync(path.join(ROOT, 'data/multihop-wiki/corpus.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, 500);
  return [...new Set(lines.flatMap((l) => (JSON.parse(l) as { text: string }).text.split(/\s+/)).filter((w) => /^[A-Za-z]{2,}$/.test(w)))];
}

/** Child mode: time the transformer step of one model on `workers` threads; prints its row and the PyTorch arguments. */
async function oneTransformer(model: TransformerModel, shape: StepShape, steps: number, workers: number): Promise<Row & { referenceArgs: string[] }> {
  const sel = await selectBackend({ prefer: TRANSFORMER_BACKEND, strict: true, log: () => undefined });
  const m: BenchModel =
    model === 'use' ? await useModel(shape.tokens, corpusWords()) : model === 'use-query' ? await useModel(shape.tokens, corpusWords(), { cacheDir: CACHE }) : await minilmModel(path.join(ROOT, 'tmp', 'bench', 'minilm-random'), shape.tokens);
  // The query tower's batch is small (no passage activations): one tape, as PyTorch runs it.
  const micro = model === 'use-query' ? 0 : TRANSFORMER_MICRO;
  const times = await timeSteps(m, shape, steps, 1, { query: micro, passage: micro }, workers);
  m.encoder.dispose();
  const ms = median(times);
  const sequences = shape.queries * (1 + shape.group);
  const note = micro > 0 ? `gradient caching, micro-batches of ${micro}` : undefined;
  const backend = workers > 1 ? `${sel.name} ×${workers} workers` : `${sel.name} (main thread)`;
  return { impl: 'tfjs', backend, encoder: model, threads: workers, msPerStep: ms, minMs: Math.min(...times), examplesPerSec: (sequences * 1000) / ms, peakRssMb: process.resourceUsage().maxRSS / 1024, steps, note, referenceArgs: m.referenceArgs };
}

function torchTransformer(referenceArgs: string[], shape: StepShape, steps: number, threads: number, encoder: string): Row {
  const args = [...referenceArgs, '--tokens', String(shape.tokens), '--queries', String(shape.queries), '--group', String(shape.group), '--steps', String(steps), '--threads', String(threads)];
  const r = spawnSync(PYTHON, [path.join(ROOT, 'tools/bench/transformer_reference.py'), ...args], { encoding: 'utf8', timeout: TRANSFORMER_TIMEOUT_MS });
  if (r.status !== 0) return { impl: 'pytorch', backend: `cpu×${threads}`, encoder, note: `failed: ${(r.stderr ?? r.error?.message ?? '').trim().split('\n').pop()}` };
  const j = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { ms_per_step: number; times_ms: number[]; peak_rss_kb: number; torch: string };
  const sequences = shape.queries * (1 + shape.group);
  return { impl: `pytorch ${j.torch}`, backend: `cpu×${threads}`, encoder, threads, msPerStep: j.ms_per_step, minMs: Math.min(...j.times_ms), examplesPerSec: (sequences * 1000) / j.ms_per_step, peakRssMb: j.peak_rss_kb / 1024, steps };
}

/**
 * Per model and thread count: tfjs (one thread, or that many workers), then PyTorch on as many threads,
 * back to back so both see the same load on this shared machine.
 */
function transformerRows(models: readonly TransformerModel[], shape: StepShape, steps: number): Row[] {
  const rows: Row[] = [];
  const torchMissing = ensureTorch();
  for (const model of models) {
    for (const threads of THREADS) {
      process.stderr.write(`trainer bench: ${TRANSFORMER_BACKEND} ${model} transformer step on ${threads} thread(s), ${shape.queries} queries × ${shape.group} passages × ${shape.tokens} tokens (${steps} steps)…\n`);
      const r = runChild(['--transformer', model, String(steps), String(threads)], TRANSFORMER_TIMEOUT_MS);
      const row = r.row as (Row & { referenceArgs?: string[] }) | undefined;
      if (!row) {
        rows.push({ impl: 'tfjs', backend: TRANSFORMER_BACKEND, encoder: model, threads, note: `unavailable: ${r.error ?? 'no result'}` });
        continue;
      }
      const { referenceArgs, ...plain } = row;
      rows.push(plain);
      if (torchMissing) {
        rows.push({ impl: 'pytorch', backend: 'cpu', encoder: model, threads, note: `unavailable: ${torchMissing}` });
        continue;
      }
      process.stderr.write(`trainer bench: PyTorch ${model} on ${threads} thread(s)…\n`);
      rows.push(torchTransformer(referenceArgs ?? [], shape, steps, threads, model));
    }
  }
  return rows;
}

/** `--steps N` / `--steps=N` from the command line (nx forwards its extra arguments that way). */
function stepsArg(argv: string[]): number | undefined {
  const i = argv.findIndex((a) => a === '--steps' || a.startsWith('--steps='));
  if (i < 0) return undefined;
  const raw = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--steps must be a positive integer, got ${raw}`);
  return n;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--one') {
    const row = await one(argv[1], argv[2] as (typeof ENCODERS)[number], Number(argv[3]));
    process.stdout.write(JSON.stringify(row) + '\n');
    return;
  }
  if (argv[0] === '--transformer') {
    const model = argv[1] as TransformerModel;
    const shape = (model === 'use-query' ? queryTowerShape() : transformerShape()) as StepShape;
    process.stdout.write(JSON.stringify(await oneTransformer(model, shape, Number(argv[2]), Number(argv[3]))) + '\n');
    return;
  }
  if (argv[0] === '--dump') {
    await dumpInputs(argv[1]);
    return;
  }
  const steps = Number(process.env.LRAT_BENCH_STEPS ?? 10);
  await fsp.mkdir(OUT, { recursive: true });
  const rows: Row[] = [];
  // --transformer-only: just the transformer rows (the adapter / bow rows take a few minutes more).
  const transformerOnly = argv.includes('--transformer-only');
  for (const backend of transformerOnly ? [] : BACKENDS) {
    for (const enc of ENCODERS) {
      // Pure-JS cpu is ~10× slower than wasm: fewer timed steps keep the bench short.
      const n = backend === 'cpu' ? Math.max(2, Math.ceil(steps / 5)) : steps;
      process.stderr.write(`trainer bench: ${backend} ${enc} (${n} steps)…\n`);
      const r = runChild(['--one', backend, enc, String(n)]);
      if (r.row) rows.push(r.row);
      else if (r.error) {
        rows.push({ impl: 'tfjs', backend, encoder: enc, note: `unavailable: ${r.error}` });
        if (enc === ENCODERS[0]) {
          rows.push({ impl: 'tfjs', backend, encoder: ENCODERS[1], note: 'unavailable (same backend)' });
          break;
        }
      }
    }
  }
  if (!transformerOnly) {
    const inputs = path.join(OUT, 'reference-inputs.json');
    const dumped = runChild(['--dump', inputs]);
    if (dumped.error) throw new Error(`could not write the reference inputs: ${dumped.error}`);
    rows.push(...torchReference(inputs, steps));
  }
  const shape = transformerShape();
  const tSteps = stepsArg(argv) ?? Number(process.env.LRAT_BENCH_TRANSFORMER_STEPS ?? 2);
  const tRows = shape ? transformerRows(TRANSFORMER_MODELS, shape, tSteps) : [];
  const qShape = queryTowerShape();
  // The query tower's step is short: more timed steps for a steadier median.
  const qSteps = Math.max(tSteps, 5);
  const qRows = qShape ? transformerRows(['use-query'], qShape, qSteps) : [];

  const wasm = (enc: string) => rows.find((r) => r.impl === 'tfjs' && r.backend === 'wasm' && r.encoder === enc)?.msPerStep;
  const fmt = (x: number | undefined, d = 1) => (x === undefined ? '—' : x.toFixed(d));
  const lines = [
    `Trainer step benchmark — batch ${BATCH}, group ${GROUP} (${BATCH * GROUP} passages), weighted InfoNCE τ 0.02, AdamW; median of ${steps} timed steps after 2 warm-up steps (cpu: fewer); ${os.cpus().length} CPU cores (${os.cpus()[0]?.model ?? '?'}), load average ${os.loadavg()[0].toFixed(1)} at the end; node ${process.version}`,
    '',
    '| impl | backend | encoder | ms/step | examples/s | peak RSS MB | wasm speed vs this | note |',
    '|---|---|---|---:|---:|---:|---:|---|',
    ...rows.map((r) => {
      const w = wasm(r.encoder);
      const ratio = r.msPerStep && w ? (r.msPerStep / w).toFixed(2) + '×' : '—';
      return `| ${r.impl} | ${r.backend} | ${r.encoder} | ${fmt(r.msPerStep)} | ${fmt(r.examplesPerSec, 0)} | ${fmt(r.peakRssMb, 0)} | ${ratio} | ${r.note ?? ''} |`;
    }),
    '',
    '"wasm speed vs this" = this row\'s ms/step ÷ tfjs-wasm ms/step for the same encoder (≥ 0.5× against PyTorch CPU is the goal).',
  ];
  const transformerTable = (t: Row[]) => {
    const torchMs = (enc: string, threads?: number) => t.find((r) => r.impl.startsWith('pytorch') && r.encoder === enc && r.threads === threads)?.msPerStep;
    return [
      '| impl | backend | model | threads | ms/step | fastest ms | sequences/s | peak RSS MB | speed vs PyTorch, same threads | note |',
      '|---|---|---|---:|---:|---:|---:|---:|---:|---|',
      ...t.map((r) => {
        const ref = r.impl === 'tfjs' ? torchMs(r.encoder, r.threads) : undefined;
        const ratio = r.msPerStep && ref ? (ref / r.msPerStep).toFixed(2) + '×' : '—';
        return `| ${r.impl} | ${r.backend} | ${r.encoder} | ${r.threads ?? '—'} | ${fmt(r.msPerStep, 0)} | ${fmt(r.minMs, 0)} | ${fmt(r.examplesPerSec, 2)} | ${fmt(r.peakRssMb, 0)} | ${ratio} | ${r.note ?? ''} |`;
      }),
    ];
  };
  if (shape) {
    lines.push(
      '',
      `Transformer full fine-tuning step — ${shape.queries} queries × ${shape.group} passages (1 positive + ${shape.group - 1} hard negatives; ${shape.queries * (1 + shape.group)} sequences) × ${shape.tokens} tokens, every weight trained, weighted InfoNCE τ 0.02, clipping, AdamW; median (and fastest) of ${tSteps} timed steps after 1 warm-up step; per model and thread count tfjs then PyTorch, back to back. tfjs on N threads = data-parallel over N worker threads (DataParallelSteps), PyTorch on N threads = torch.set_num_threads(N). minilm = MiniLM-L6 shape (6 layers, 384 wide, 12 heads, 1536 FFN, 30,522 vocabulary; random weights) through TransformerEncoder, use = USE-lite's own weights and shape through UseEncoder. Load average ${os.loadavg().map((x) => x.toFixed(1)).join(' / ')} (1 / 5 / 15 min) at the end, on ${os.cpus().length} cores.`,
      '',
      ...transformerTable(tRows),
      '',
      '"speed vs PyTorch, same threads" = PyTorch ms/step ÷ tfjs ms/step for the same model and thread count (goal ≥ 0.5×). Peak RSS of a worker run includes every worker\'s model copy.',
    );
  }
  if (qShape) {
    lines.push(
      '',
      `USE-lite query tower step (\`--encoder use\` studies: trainSides query) — ${qShape.queries} queries × ${qShape.tokens} tokens against ${qShape.queries * qShape.group} frozen passage vectors (1 positive + ${qShape.group - 1} negatives a query), every query-tower weight trained, weighted InfoNCE τ 0.02, clipping, AdamW; median (and fastest) of ${qSteps} timed steps after 1 warm-up step. tfjs: UseEncoder (passages: the frozen graph's cached vectors); PyTorch: the same tower, passages fixed unit vectors (--frozen-passages). "sequences/s" counts queries and passages.`,
      '',
      ...transformerTable(qRows),
    );
  }
  const report = lines.join('\n');
  process.stdout.write(report + '\n');
  await fsp.writeFile(path.join(OUT, 'results.json'), JSON.stringify({ date: new Date().toISOString(), batch: BATCH, group: GROUP, rows, transformer: shape ? { ...shape, steps: tSteps, rows: tRows } : null, queryTower: qShape ? { ...qShape, steps: qSteps, rows: qRows } : null }, null, 2) + '\n');
  await fsp.writeFile(path.join(OUT, 'results.md'), report + '\n');
  process.stderr.write(`trainer bench: written to ${path.relative(ROOT, OUT)}/results.{md,json}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
