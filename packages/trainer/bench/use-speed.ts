// Speed of the trainable USE-lite (`use` encoder) beside the frozen graph model, in the same run:
// forward texts/s on multihop-wiki paragraphs (most reach the 128-token clip) and ms per training
// step (forward + backward + AdamW) for a group batch of Q queries × G passages.
//   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register packages/trainer/bench/use-speed.ts [texts] [Q] [G] [steps]
import { readFileSync } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, weightedInfoNce } from '../src';
import { AdamW } from '../src/adamw';
import { UseEncoder } from '../src/encoders/use';
import { UseLiteModel } from '../src/use/use-model';

const ROOT = path.resolve(__dirname, '../../..');

function paragraphs(n: number, skip = 0): string[] {
  return readFileSync(path.join(ROOT, 'data/multihop-wiki/corpus.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(skip, skip + n)
    .map((l) => {
      const d = JSON.parse(l) as { title: string; text: string };
      return `${d.title} ${d.text}`;
    });
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = process.hrtime.bigint();
  const r = await f();
  return [r, Number(process.hrtime.bigint() - t0) / 1e6];
}

async function main(): Promise<void> {
  const [nTexts = 128, q = 8, g = 8, steps = 5] = process.argv.slice(2).map(Number);
  const backend = await selectBackend({ log: () => undefined });
  const texts = paragraphs(nTexts);
  const frozen = await UseLiteModel.load();
  const encoder = await UseEncoder.create();
  const tokens = texts.reduce((a, t) => a + encoder.tokenize(t, 'document').length, 0);
  // Warm both (kernel compilation, first allocations) on other texts.
  await frozen.embed(paragraphs(8, 5000));
  await encoder.embedDocuments(paragraphs(8, 5000));
  const frozenRows: Float32Array[] = [];
  const [, frozenMs] = await timed(async () => {
    for (let i = 0; i < texts.length; i += 32) frozenRows.push(await frozen.embed(texts.slice(i, i + 32)));
  });
  const [ours, oursMs] = await timed(() => encoder.embedDocuments(texts));
  let maxDiff = 0;
  frozenRows.forEach((rows, b) => rows.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - ours[b * 32 * 512 + j])))));
  console.log(`backend ${backend.name}; ${texts.length} paragraphs, ${(tokens / texts.length).toFixed(1)} tokens each on average (clip 128)`);
  console.log(`forward, batches of 32: frozen graph ${((texts.length / frozenMs) * 1000).toFixed(1)} texts/s | use (tfjs ops) ${((texts.length / oursMs) * 1000).toFixed(1)} texts/s | ratio ${(frozenMs / oursMs).toFixed(2)}× | max |Δ| ${maxDiff.toExponential(2)}`);

  const queries = readFileSync(path.join(ROOT, 'data/multihop-wiki/queries.jsonl'), 'utf8').split('\n').filter(Boolean).slice(0, q).map((l) => JSON.parse(l).text as string);
  const passages = paragraphs(q * g, 100);
  const targets = queries.map((_, i) => i * g);
  for (const trainLayers of ['all', 1] as const) {
    const e = await UseEncoder.create({ trainLayers });
    const vars = e.trainableWeights().map((w) => w.variable);
    const opt = new AdamW(vars, {});
    const times: number[] = [];
    for (let s = 0; s <= steps; s++) {
      const [, ms] = await timed(async () => {
        const qb = await e.prepare(queries, 'query');
        const pb = await e.prepare(passages, 'document');
        const { value, grads } = tf.variableGrads(() => weightedInfoNce({ queries: e.forward(qb, 'query'), passages: e.forward(pb, 'document'), targets, temperature: 0.02 }), vars);
        await value.data();
        opt.step(
          vars.map((v) => grads[v.name]),
          1e-5,
        );
        value.dispose();
        for (const x of Object.values(grads)) x.dispose();
        qb.dispose();
        pb.dispose();
      });
      if (s > 0) times.push(ms);
    }
    times.sort((a, b) => a - b);
    const ptoks = passages.reduce((a, t) => a + e.tokenize(t, 'document').length, 0) / passages.length;
    console.log(
      `train step, ${q} queries × ${g} passages (${ptoks.toFixed(0)} tokens/passage), trainLayers ${trainLayers}: median ${times[Math.floor(times.length / 2)].toFixed(0)} ms/step (min ${times[0].toFixed(0)}, ${steps} steps after 1 warm-up; ${vars.length} tensors, ${vars.reduce((a, v) => a + v.size, 0)} values)`,
    );
    opt.dispose();
    e.dispose();
  }
  console.log(`peak RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB`);
  frozen.dispose();
  encoder.dispose();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
