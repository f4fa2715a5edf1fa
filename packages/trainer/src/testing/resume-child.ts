// Child process of the kill-and-resume test: trains the bow encoder on synthetic pairs and, when
// asked, SIGKILLs itself right after a given step — like a crash or a pre-empted job.
import { selectBackend } from '../backend/select-backend';
import { BowEncoder } from '../encoders/bow';
import { train } from '../train';
import { syntheticPairs } from './synthetic-pairs';

async function main(): Promise<void> {
  const [outDir, mode, killAt] = process.argv.slice(2);
  await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  const encoder = new BowEncoder({ buckets: 512, embeddingDim: 16, dim: 16, seed: 7 }, (t) => Array.from(t).map((c) => c.charCodeAt(0)));
  await train({
    pairs: syntheticPairs(40, 11),
    encoder,
    outDir,
    epochs: 2,
    batchSize: 8,
    groupSize: 4,
    lr: 5e-3,
    seed: 5,
    checkpointEvery: 3,
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
