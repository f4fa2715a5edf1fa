import { spawnSync } from 'child_process';
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select-backend';
import { REPO_ROOT } from '../testing/multihop-pairs';
import { syntheticPairs } from '../testing/synthetic-pairs';
import { train } from '../train';
import { readSafetensors, readSafetensorsHeader } from '../transformer/safetensors';
import { loadEncoder } from './index';
import { TransformerEncoder } from './transformer';

const FIXTURES = path.join(__dirname, '..', '..', 'testdata', 'tiny-bert');
const TEXTS = ['hello world', '', 'The quick brown fox jumps over the lazy dog.', 'Café résumé', '中文字 and 日本', 'a '.repeat(40)];
let tmp: string;

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-transformer-'));
});
afterAll(() => fsp.rm(tmp, { recursive: true, force: true }));

describe('transformer encoder', () => {
  it('has gradients that match central finite differences in every part of the model', async () => {
    const enc = await TransformerEncoder.load({ model: path.join(FIXTURES, 'st-classic') });
    try {
      const batch = await enc.prepare(['the quick fox', 'hello world again'], 'document');
      const r = tf.tensor2d(Array.from({ length: 2 * enc.dim }, (_, i) => Math.sin(i + 1)), [2, enc.dim]);
      const loss = () => tf.sum(tf.mul(enc.forward(batch, 'document'), r)) as tf.Scalar;
      const vars = enc.weights();
      const { grads } = tf.variableGrads(loss, vars.map((v) => v.variable));
      const probe = ['embeddings.word_embeddings.weight', 'embeddings.position_embeddings.weight', 'embeddings.LayerNorm.weight', 'encoder.layer.0.attention.self.query.weight', 'encoder.layer.0.attention.self.key.bias', 'encoder.layer.1.intermediate.dense.weight', 'encoder.layer.1.output.LayerNorm.bias'];
      let checked = 0;
      for (const name of probe) {
        const v = vars.find((x) => x.name === name);
        if (!v) throw new Error(`no trainable ${name}`);
        const g = grads[v.variable.name].dataSync();
        // The entry with the largest gradient (a row the batch actually uses), and one more.
        const abs = Array.from(g, Math.abs);
        const idx = [abs.indexOf(Math.max(...abs)), Math.floor(g.length / 3)];
        for (const i of idx) {
          const orig = v.variable.dataSync().slice();
          const at = (delta: number) => {
            const x = orig.slice();
            x[i] += delta;
            v.variable.assign(tf.tensor(x, v.variable.shape));
            const val = loss().dataSync()[0];
            return val;
          };
          const h = 1e-2;
          const fd = (at(h) - at(-h)) / (2 * h);
          v.variable.assign(tf.tensor(orig, v.variable.shape));
          expect(Math.abs(fd - g[i])).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
          checked++;
        }
      }
      expect(checked).toBe(probe.length * 2);
      batch.dispose();
    } finally {
      enc.dispose();
    }
  });

  it('exports a sentence-transformers + Hugging Face folder that reloads to identical embeddings', async () => {
    for (const name of ['st-v5', 'st-fp16']) {
      const src = await TransformerEncoder.load({ model: path.join(FIXTURES, name) });
      const out = path.join(tmp, `export-${name}`);
      await src.save(out);
      const back = await loadEncoder(out);
      try {
        expect(back.kind).toBe('transformer');
        expect(back.queryPrefix).toBe(src.queryPrefix);
        expect(Array.from(await back.embedDocuments(TEXTS))).toEqual(Array.from(await src.embedDocuments(TEXTS)));
        expect(Array.from(await back.embedQueries(TEXTS))).toEqual(Array.from(await src.embedQueries(TEXTS)));
        const files = (await fsp.readdir(out)).sort();
        expect(files).toEqual(expect.arrayContaining(['1_Pooling', 'config.json', 'config_sentence_transformers.json', 'encoder.json', 'model.safetensors', 'modules.json', 'sentence_bert_config.json', 'tokenizer.json', 'tokenizer_config.json']));
        const config = JSON.parse(await fsp.readFile(path.join(out, 'config.json'), 'utf8'));
        expect(config).toMatchObject({ architectures: ['BertModel'], model_type: 'bert', torch_dtype: 'float32' });
        const header = await readSafetensorsHeader(path.join(out, 'model.safetensors'));
        // BertModel names (no "bert." prefix), HF [out, in] layout, fp32.
        expect(header.tensors.get('encoder.layer.0.intermediate.dense.weight')).toMatchObject({ dtype: 'F32', shape: [64, 32] });
        expect([...header.tensors.keys()].some((k) => k.startsWith('bert.') || k.startsWith('cls.'))).toBe(false);
        const modules = JSON.parse(await fsp.readFile(path.join(out, 'modules.json'), 'utf8'));
        expect(modules.map((m: { type: string }) => m.type.split('.').pop())).toEqual(name === 'st-fp16' ? ['Transformer', 'Pooling', 'Normalize'] : ['Transformer', 'Pooling']);
      } finally {
        src.dispose();
        back.dispose();
      }
    }
  });

  it('trains only the top N layers with --train-layers N, and `lrat train`s output reloads to the trained embeddings', async () => {
    const model = path.join(FIXTURES, 'st-classic');
    const before = await readSafetensors(path.join(model, 'model.safetensors'));
    const enc = await TransformerEncoder.load({ model, trainLayers: 1, queryMaxLength: 8, passageMaxLength: 12 });
    expect(enc.weights().every((w) => w.name.startsWith('encoder.layer.1.'))).toBe(true);
    // Tape estimate: every text of a batch at its padded length, through the one trained layer only.
    const all = await TransformerEncoder.load({ model, queryMaxLength: 8, passageMaxLength: 12 });
    const [short, long] = [enc.tapeBytes(['a'], 'document')[0], enc.tapeBytes(['a', 'many more words than twelve tokens can hold in it'], 'document')];
    expect(long[0]).toBe(long[1]);
    expect(long[0]).toBeGreaterThan(short);
    expect(all.tapeBytes(['a'], 'document')[0]).toBe(2 * short);
    all.dispose();
    const out = path.join(tmp, 'train-top1');
    const res = await train({ pairs: syntheticPairs(16, 4), encoder: enc, outDir: out, epochs: 1, batchSize: 4, groupSize: 3, lr: 1e-3, seed: 1 });
    expect(res.steps).toBe(4);
    const after = await readSafetensors(path.join(out, 'model.safetensors'));
    const same = (n: string) => Buffer.from(after.get(n)!.data.buffer).equals(Buffer.from(before.get(n)!.data.buffer));
    expect(same('embeddings.word_embeddings.weight')).toBe(true);
    expect(same('encoder.layer.0.attention.self.query.weight')).toBe(true);
    expect(same('encoder.layer.1.attention.self.query.weight')).toBe(false);
    const back = await loadEncoder(out);
    try {
      expect(back.config()).toMatchObject({ queryMaxLength: 8, passageMaxLength: 12 });
      expect(Array.from(await back.embedQueries(TEXTS))).toEqual(Array.from(await enc.embedQueries(TEXTS)));
      expect(Array.from(await back.embedDocuments(TEXTS))).toEqual(Array.from(await enc.embedDocuments(TEXTS)));
      for (const f of ['modules.json', '1_Pooling/config.json', '2_Normalize', 'tokenizer.json', 'metrics.jsonl', 'last', 'checkpoints']) await expect(fsp.stat(path.join(out, f))).resolves.toBeTruthy();
    } finally {
      back.dispose();
      enc.dispose();
    }
  });

  it('names the file and the field of an unsupported or inconsistent folder', async () => {
    const copy = async (name: string, edit: (dir: string) => Promise<void>) => {
      const dir = path.join(tmp, `bad-${name}`);
      await fsp.cp(path.join(FIXTURES, 'st-classic'), dir, { recursive: true });
      await edit(dir);
      return dir;
    };
    const patchJson = (file: string, patch: Record<string, unknown>) => async (dir: string) => {
      const f = path.join(dir, file);
      await fsp.writeFile(f, JSON.stringify({ ...JSON.parse(await fsp.readFile(f, 'utf8')), ...patch }));
    };
    const roberta = await copy('roberta', patchJson('config.json', { model_type: 'roberta' }));
    await expect(loadEncoder(roberta)).rejects.toThrow(`${path.join(roberta, 'config.json')}: field "model_type" is "roberta"`);
    const narrow = await copy('narrow', patchJson('config.json', { hidden_size: 16 }));
    await expect(loadEncoder(narrow)).rejects.toThrow(/model.safetensors: tensor "embeddings.word_embeddings.weight" has shape \[\d+,32\], config.json implies \[\d+,16\]/);
    const dense = await copy('dense', async (dir) => {
      const mods = JSON.parse(await fsp.readFile(path.join(dir, 'modules.json'), 'utf8'));
      mods.push({ idx: 3, name: '3', path: '3_Dense', type: 'sentence_transformers.models.Dense' });
      await fsp.writeFile(path.join(dir, 'modules.json'), JSON.stringify(mods));
    });
    await expect(loadEncoder(dense)).rejects.toThrow(/modules.json: module 3 \("sentence_transformers.models.Dense"\): unsupported module type/);
    const pooling = await copy('pooling', patchJson('1_Pooling/config.json', { pooling_mode: 'median' }));
    await expect(loadEncoder(pooling)).rejects.toThrow(/1_Pooling\/config.json: field "pooling_mode" has unknown mode "median"/);
  });

  it('reaches the same weights after being killed and resumed as an uninterrupted run', async () => {
    const model = path.join(FIXTURES, 'st-classic');
    const child = (outDir: string, mode: string, killAt = '') =>
      spawnSync(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, '..', 'testing', 'resume-child.ts'), outDir, mode, killAt, model], {
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
    expect(b.length).toBeGreaterThan(0);
    expect(b.equals(a)).toBe(true);
    const orig = await fsp.readFile(path.join(model, 'model.safetensors'));
    expect(a.equals(orig)).toBe(false);
  });
});
