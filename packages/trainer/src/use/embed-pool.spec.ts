import { selectBackend } from '../backend/select-backend';
import { UseEmbeddingPool } from './embed-pool';
import { UseLiteModel } from './use-model';
import { multihopPassages } from '../testing/multihop-pairs';

// Corpus fills run USE-lite on worker threads; what they compute must be exactly what the calling
// thread would, or cached base embeddings would depend on how they were filled.

describe('UseEmbeddingPool', () => {
  it('embeds on two worker threads exactly as the model on this thread does', async () => {
    await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
    const texts = multihopPassages(12);
    const model = await UseLiteModel.load();
    const here = await model.embed(texts);
    const pool = await UseEmbeddingPool.start(2, model.embeddingVersion);
    try {
      const parts = await Promise.all([pool.embed(texts.slice(0, 6)), pool.embed(texts.slice(6))]);
      const there = new Float32Array(here.length);
      there.set(parts[0], 0);
      there.set(parts[1], parts[0].length);
      expect(Array.from(there)).toEqual(Array.from(here));
    } finally {
      await pool.close();
      model.dispose();
    }
  });

  it('refuses to start workers whose model differs from the expected version', async () => {
    await expect(UseEmbeddingPool.start(1, 'use-lite-0000000000000000')).rejects.toThrow(/expected use-lite-0000000000000000/);
  });
});
