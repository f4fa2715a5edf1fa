import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { selectBackend } from '../backend/select-backend';
import { createEncoder, loadEncoder } from '../encoders';
import { syntheticPairs } from '../testing/synthetic-pairs';
import { train } from '../train';
import { trainOnThread } from './train-thread';

let tmp: string;
beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-train-thread-'));
});
afterAll(() => fsp.rm(tmp, { recursive: true, force: true }));

const encoderSpec = { kind: 'bow' as const, options: { buckets: 512, embeddingDim: 16, dim: 16, seed: 3 } };
const settings = { epochs: 3, batchSize: 8, groupSize: 4, lr: 5e-3, seed: 7, checkpointEvery: 0 };

describe('trainOnThread', () => {
  it('trains on its own thread exactly as train does here: same losses, same model', async () => {
    const pairs = syntheticPairs(40, 2);
    const here = path.join(tmp, 'here');
    const there = path.join(tmp, 'there');
    const encoder = await createEncoder(encoderSpec.kind, encoderSpec.options);
    const a = await train({ ...settings, pairs, encoder, outDir: here });
    encoder.dispose();
    const progress: number[] = [];
    const b = await trainOnThread({ ...settings, pairs, encoder: encoderSpec, outDir: there, onProgress: (p) => p.phase === 'train' && progress.push(p.done) });
    expect(b.steps).toBe(a.steps);
    expect(progress).toEqual(Array.from({ length: a.steps }, (_, i) => i + 1));
    expect(b.modelDir).toBe(there);
    const losses = async (dir: string) => (await fsp.readFile(path.join(dir, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).loss as number);
    expect(await losses(there)).toEqual(await losses(here));
    const texts = ['volcanic eruptions', 'a violin concerto in D', 'railway stations'];
    const [x, y] = await Promise.all([here, there].map((d) => loadEncoder(d)));
    expect(Array.from(await y.embedDocuments(texts))).toEqual(Array.from(await x.embedDocuments(texts)));
    expect(Array.from(await y.embedQueries(texts))).toEqual(Array.from(await x.embedQueries(texts)));
    x.dispose();
    y.dispose();
  });

  it('rejects with the error the thread met', async () => {
    const missing = path.join(tmp, 'no-such-pairs.jsonl');
    await expect(trainOnThread({ ...settings, pairs: missing, encoder: encoderSpec, outDir: path.join(tmp, 'bad') })).rejects.toThrow(/no-such-pairs\.jsonl/);
  });
});
