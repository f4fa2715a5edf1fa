// Part of `nx run trainer:bench`: forward and forward+backward time of a Qwen3-shaped decoder (the
// layer shape of Qwen3-Embedding-0.6B: hidden 1024, 16 query / 8 key-value heads of 128, SwiGLU 3072)
// with a few layers, on tfjs wasm (our Qwen3Model) beside the same computation in PyTorch CPU
// (tools/bench/qwen3_bench.py, 1 and 2 threads) in the same run. Reported per step and per layer.
// Env: QWEN3_BENCH_LAYERS (default 2), QWEN3_BENCH_BATCH (2), QWEN3_BENCH_TOKENS (128),
// QWEN3_BENCH_STEPS (3 timed, after 1 warm-up).
import { spawnSync } from 'child_process';
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src';
import { Qwen3Model } from '../src/transformer/qwen3';
import { writeSafetensors } from '../src/transformer/safetensors';
import { generatedTensor, qwen3TensorShapes, TINY_QWEN3_CONFIG } from '../src/testing/tiny-qwen3';

const ROOT = path.resolve(__dirname, '../../..');
const LAYERS = Number(process.env.QWEN3_BENCH_LAYERS ?? 2);
const B = Number(process.env.QWEN3_BENCH_BATCH ?? 2);
const T = Number(process.env.QWEN3_BENCH_TOKENS ?? 128);
const STEPS = Number(process.env.QWEN3_BENCH_STEPS ?? 3);
const CONFIG = {
  ...TINY_QWEN3_CONFIG,
  vocab_size: 4096, // the embedding lookup is not per-layer work; a small table keeps setup quick
  hidden_size: 1024,
  intermediate_size: 3072,
  num_hidden_layers: LAYERS,
  num_attention_heads: 16,
  num_key_value_heads: 8,
  head_dim: 128,
  torch_dtype: 'float32',
};

interface Row {
  impl: string;
  threads: string;
  fwdMs?: number;
  fwdBwdMs?: number;
  note?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function tfjsRow(): Promise<Row> {
  const backend = await selectBackend({ prefer: 'wasm', log: () => undefined });
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-qwen3-bench-'));
  try {
    await fsp.writeFile(path.join(dir, 'config.json'), JSON.stringify(CONFIG));
    // Generator values are in [−0.125, 0.125]; scaled down so activations stay in a realistic range.
    const tensors = qwen3TensorShapes(CONFIG).map(([name, shape]) => {
      const data = generatedTensor(name, shape.reduce((a, b) => a * b, 1));
      if (!name.endsWith('norm.weight')) for (let i = 0; i < data.length; i++) data[i] *= 0.25;
      return { name, shape, data };
    });
    await writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
    const model = await Qwen3Model.load(dir);
    const ids = tf.tensor2d(Array.from({ length: B * T }, (_, i) => (i * 7919) % CONFIG.vocab_size), [B, T], 'int32');
    const mask = tf.ones([B, T], 'int32') as tf.Tensor2D;
    const r = tf.randomNormal([B, T, CONFIG.hidden_size], 0, 1, 'float32', 1);
    const vars = model.weights.map((w) => w.variable);
    const fwd = () => tf.tidy(() => model.forward(ids, null, mask).dataSync());
    const fwdBwd = () => {
      const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(model.forward(ids, null, mask), r)) as tf.Scalar, vars);
      value.dataSync();
      for (const g of Object.values(grads)) {
        g.dataSync();
        g.dispose();
      }
      value.dispose();
    };
    const time = (f: () => void) => {
      f();
      const ms: number[] = [];
      for (let s = 0; s < STEPS; s++) {
        const t0 = performance.now();
        f();
        ms.push(performance.now() - t0);
      }
      return median(ms);
    };
    const row = { impl: `tfjs ${tf.version_core} (Qwen3Model)`, threads: `${backend.name}×1`, fwdMs: time(fwd), fwdBwdMs: time(fwdBwd) };
    model.dispose();
    return row;
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

function torchRows(): Row[] {
  const py = '/usr/bin/python3';
  const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return [{ impl: 'pytorch', threads: '-', note: 'skipped: python3-torch is not installed (apt-get install -y python3-torch)' }];
  const rows: Row[] = [];
  for (const threads of [1, 2]) {
    const r = spawnSync(py, [path.join(ROOT, 'tools/bench/qwen3_bench.py'), JSON.stringify({ config: CONFIG, batch: B, tokens: T, steps: STEPS, threads })], { encoding: 'utf8' });
    if (r.status !== 0) {
      rows.push({ impl: 'pytorch', threads: `cpu×${threads}`, note: `failed: ${r.stderr.trim().split('\n').pop()}` });
      continue;
    }
    const j = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { fwd_ms: number; fwd_bwd_ms: number; torch: string };
    rows.push({ impl: `pytorch ${j.torch}`, threads: `cpu×${threads}`, fwdMs: j.fwd_ms, fwdBwdMs: j.fwd_bwd_ms });
  }
  return rows;
}

async function main(): Promise<void> {
  console.log(`Qwen3-shaped decoder, ${LAYERS} layers (hidden 1024, heads 16/8 × 128, SwiGLU 3072), batch ${B} × ${T} tokens, fp32, median of ${STEPS} steps`);
  const rows = [await tfjsRow(), ...torchRows()];
  const f = (v?: number) => (v === undefined ? '-' : v.toFixed(0));
  console.log(['impl', 'backend', 'fwd ms/step', 'fwd ms/layer', 'fwd+bwd ms/step', 'fwd+bwd ms/layer', 'note'].join(' | '));
  for (const r of rows) {
    console.log([r.impl, r.threads, f(r.fwdMs), f(r.fwdMs && r.fwdMs / LAYERS), f(r.fwdBwdMs), f(r.fwdBwdMs && r.fwdBwdMs / LAYERS), r.note ?? ''].join(' | '));
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
