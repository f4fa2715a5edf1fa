import { TRAIN_RECIPES } from '@lrat/trainer';
import { withRecipe, type TrainArgs } from './train';

const base: TrainArgs = { pairs: 'p.jsonl', encoder: 'models/qwen3', out: 'm', seed: 0, unweighted: false, evalEvery: 0, checkpointEvery: 100, resume: false, adapter: 'linear', microBatch: 0, includeUnsatisfied: false, quiet: true };

describe('lrat train --recipe', () => {
  it('lrat-qwen3 fills every option the user left out with the official LRAT values', () => {
    const a = withRecipe({ ...base, recipe: 'lrat-qwen3' });
    expect(a).toMatchObject({ lr: 1e-6, epochs: 2, warmup: 0.1, temperature: 0.02, groupSize: 10, batchSize: 256, queryMaxLen: 512, passageMaxLen: 512, pooling: 'lasttoken' });
    expect(a.queryPrefix).toBe('Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:');
    expect(TRAIN_RECIPES['lrat-qwen3'].queryPrefix).toBe(a.queryPrefix);
  });

  it('keeps what the user gave explicitly, and the plain defaults without a recipe', () => {
    expect(withRecipe({ ...base, recipe: 'lrat-qwen3', batchSize: 32, lr: 2e-6, queryPrefix: 'q: ' })).toMatchObject({ batchSize: 32, lr: 2e-6, queryPrefix: 'q: ', epochs: 2 });
    const plain = withRecipe(base);
    expect(plain).toMatchObject({ epochs: 2, batchSize: 32, groupSize: 10, temperature: 0.02, warmup: 0.1 });
    expect(plain.lr).toBeUndefined();
    expect(plain.queryPrefix).toBeUndefined();
  });

  it('rejects an unknown recipe and a recipe on a built-in encoder kind', () => {
    expect(() => withRecipe({ ...base, recipe: 'nope' })).toThrow(/unknown recipe 'nope'; known: lrat-qwen3/);
    expect(() => withRecipe({ ...base, recipe: 'lrat-qwen3', encoder: 'use-adapter' })).toThrow(/--recipe lrat-qwen3 fine-tunes a qwen3 model folder/);
  });
});
