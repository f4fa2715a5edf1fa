// Child process of the kill-and-resume tests: trains the bow encoder (or, given a model folder, the
// transformer) on synthetic pairs and, when asked, SIGKILLs itself right after a given step — like a
// crash or a pre-empted job. An optional fifth argument turns on gradient caching with that
// micro-batch size.
import { selectBackend } from '../backend/select-backend';
import { TransformerEncoder } from '../encoders/transformer';
import { train } from '../train';
import { syntheticPairs } from './synthetic-pairs';
import { tinyEncoder } from './tiny-encoder';

async function main(): Promise<void> {
  const [outDir, mode, killAt, model, microBatch, trainLayers] = process.argv.slice(2);
  await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  const encoder = model && model !== '-' ? await TransformerEncoder.load({ model, trainLayers: trainLayers ? Number(trainLayers) : undefined }) : tinyEncoder({ seed: 7 });
  await train({
    pairs: syntheticPairs(40, 11),
    encoder,
    outDir,
    epochs: 2,
    batchSize: 8,
    groupSize: 4,
    lr: model && model !== '-' ? 1e-3 : 5e-3,
    seed: 5,
    checkpointEvery: 3,
    microBatch: Number(microBatch ?? 0),
    resume: mode === 'resume',
    onStep: (step) => {
      if (killAt && step === Number(killAt)) process.kill(process.pid, 'SIGKILL');
    },
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
