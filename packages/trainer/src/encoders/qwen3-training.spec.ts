import { spawnSync } from 'child_process';
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select-backend';
import { REPO_ROOT } from '../testing/multihop-pairs';
import { syntheticPairs } from '../testing/synthetic-pairs';
import { QWEN3_QUERY_PROMPT, writeTinyQwen3 } from '../testing/tiny-qwen3';
import { train } from '../train';
import { readSafetensors, readSafetensorsHeader } from '../transformer/safetensors';
import { loadEncoder } from './index';
import { TransformerEncoder } from './transformer';

const TEXTS = ['what is the capital of france', '', 'Paris is the capital of France. '.repeat(5), 'Café 東京 2024'];
let tmp: string;
let model: string;

// Every Qwen3 test carries the real 151,936-row vocabulary (embedding table, its gradient and AdamW
// state): about a minute of CPU for this file, several on a loaded machine, hence the long timeouts.
beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-qwen3-train-'));
  model = path.join(tmp, 'tiny-qwen3');
  await writeTinyQwen3(model, { maxSeqLength: 24 });
}, 300_000);
afterAll(() => fsp.rm(tmp, { recursive: true, force: true }));

describe('Qwen3 encoder training', () => {
  it('has gradients that match central finite differences (embeddings, GQA projections, q/k norms, MLP, final norm)', async () => {
    const enc = await TransformerEncoder.load({ model });
    try {
      const batch = await enc.prepare(['the quick fox', 'hello'], 'document');
      const r = tf.tensor2d(Array.from({ length: 2 * enc.dim }, (_, i) => Math.sin(i + 1)), [2, enc.dim]);
      const loss = () => tf.sum(tf.mul(enc.forward(batch, 'document'), r)) as tf.Scalar;
      const vars = enc.weights();
      const { grads } = tf.variableGrads(loss, vars.map((v) => v.variable));
      const probe = ['embed_tokens.weight', 'layers.0.self_attn.q_proj.weight', 'layers.0.self_attn.k_proj.weight', 'layers.0.self_attn.v_proj.weight', 'layers.0.self_attn.q_norm.weight', 'layers.1.self_attn.k_norm.weight', 'layers.1.mlp.gate_proj.weight', 'layers.1.mlp.down_proj.weight', 'norm.weight'];
      for (const name of probe) {
        const v = vars.find((x) => x.name === name);
        if (!v) throw new Error(`no trainable ${name}`);
        const g = grads[v.variable.name].dataSync();
        let i = 0;
        for (let j = 1; j < g.length; j++) if (Math.abs(g[j]) > Math.abs(g[i])) i = j;
        expect(Math.abs(g[i])).toBeGreaterThan(0);
        const orig = v.variable.dataSync().slice();
        const at = (delta: number) => {
          const x = orig.slice();
          x[i] += delta;
          v.variable.assign(tf.tensor(x, v.variable.shape));
          return loss().dataSync()[0];
        };
        const h = 1e-2;
        const fd = (at(h) - at(-h)) / (2 * h);
        v.variable.assign(tf.tensor(orig, v.variable.shape));
        expect(Math.abs(fd - g[i])).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
      }
      for (const g of Object.values(grads)) g.dispose();
      r.dispose();
      batch.dispose();
    } finally {
      enc.dispose();
    }
  }, 600_000);

  it('trains every layer, exports a Qwen3Model sentence-transformers folder, and reloads to the same embeddings', async () => {
    const before = await readSafetensors(path.join(model, 'model.safetensors'));
    const enc = await TransformerEncoder.load({ model, queryMaxLength: 20, passageMaxLength: 24 });
    const out = path.join(tmp, 'trained');
    try {
      const res = await train({ pairs: syntheticPairs(12, 3), encoder: enc, outDir: out, epochs: 1, batchSize: 4, groupSize: 3, lr: 1e-3, temperature: 0.02, seed: 1 });
      expect(res.steps).toBe(3);
      expect(Number.isFinite(res.lastLoss)).toBe(true);
      const after = await readSafetensors(path.join(out, 'model.safetensors'));
      for (const n of ['embed_tokens.weight', 'layers.0.self_attn.q_norm.weight', 'layers.1.mlp.up_proj.weight', 'norm.weight']) {
        expect(Buffer.from(after.get(n)!.data.buffer).equals(Buffer.from(before.get(n)!.data.buffer))).toBe(false);
      }
      const header = await readSafetensorsHeader(path.join(out, 'model.safetensors'));
      expect(header.tensors.get('layers.0.self_attn.k_proj.weight')).toMatchObject({ dtype: 'F32', shape: [32, 32] });
      expect(header.tensors.get('layers.0.self_attn.o_proj.weight')).toMatchObject({ dtype: 'F32', shape: [32, 64] });
      expect(JSON.parse(await fsp.readFile(path.join(out, 'config.json'), 'utf8'))).toMatchObject({ architectures: ['Qwen3Model'], model_type: 'qwen3', head_dim: 16, num_key_value_heads: 2 });
      expect(JSON.parse(await fsp.readFile(path.join(out, 'tokenizer_config.json'), 'utf8'))).toMatchObject({ padding_side: 'left' });
      expect(JSON.parse(await fsp.readFile(path.join(out, '1_Pooling', 'config.json'), 'utf8'))).toMatchObject({ pooling_mode_lasttoken: true, pooling_mode_cls_token: false });
      expect(JSON.parse(await fsp.readFile(path.join(out, 'config_sentence_transformers.json'), 'utf8')).prompts.query).toBe(QWEN3_QUERY_PROMPT);
      const tok = JSON.parse(await fsp.readFile(path.join(out, 'tokenizer.json'), 'utf8'));
      expect(tok.post_processor.type).toBe('TemplateProcessing');

      const back = await loadEncoder(out);
      try {
        expect(back.config()).toMatchObject({ architecture: 'qwen3', poolingModes: 'lasttoken', queryMaxLength: 20, passageMaxLength: 24 });
        expect(Array.from(await back.embedQueries(TEXTS))).toEqual(Array.from(await enc.embedQueries(TEXTS)));
        expect(Array.from(await back.embedDocuments(TEXTS))).toEqual(Array.from(await enc.embedDocuments(TEXTS)));
      } finally {
        back.dispose();
      }
    } finally {
      enc.dispose();
    }
  }, 600_000);

  // The top layer only (the final norm included): the 151k-row embedding table's AdamW state would
  // make each of the three child runs several times slower without testing anything more.
  it('reaches the same weights after being killed and resumed as an uninterrupted run (--train-layers 1)', async () => {
    const child = (outDir: string, mode: string, killAt = '') =>
      spawnSync(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, '..', 'testing', 'resume-child.ts'), outDir, mode, killAt, model, '0', '1'], {
        cwd: REPO_ROOT,
        env: { ...process.env, SWC_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.base.json') },
        encoding: 'utf8',
      });
    const straight = path.join(tmp, 'straight');
    const resumed = path.join(tmp, 'resumed');
    expect(child(straight, 'fresh').status).toBe(0);
    expect(child(resumed, 'fresh', '8').signal).toBe('SIGKILL');
    const again = child(resumed, 'resume');
    expect(again.stderr).not.toMatch(/Error/);
    expect(again.status).toBe(0);
    const a = await fsp.readFile(path.join(straight, 'model.safetensors'));
    const b = await fsp.readFile(path.join(resumed, 'model.safetensors'));
    expect(b.equals(a)).toBe(true);
    const trained = await readSafetensors(path.join(straight, 'model.safetensors'));
    const source = await readSafetensors(path.join(model, 'model.safetensors'));
    const same = (n: string) => Buffer.from(trained.get(n)!.data.buffer).equals(Buffer.from(source.get(n)!.data.buffer));
    expect(same('layers.0.mlp.up_proj.weight')).toBe(true);
    expect(same('layers.1.mlp.up_proj.weight')).toBe(false);
    expect(same('norm.weight')).toBe(false);
  }, 600_000);
});
