/**
 * Named training recipes: a published setup in one flag (`lrat train --recipe NAME`). Values a user
 * passes explicitly win over the recipe's.
 */
export interface TrainRecipe {
  name: string;
  description: string;
  /** Where the values come from. */
  source: string;
  lr: number;
  epochs: number;
  /** Fraction of the steps. */
  warmup: number;
  temperature: number;
  groupSize: number;
  /** Queries per optimiser step (the official run: 32 per device × 8 devices, negatives shared). */
  batchSize: number;
  queryPrefix: string;
  queryMaxLength: number;
  passageMaxLength: number;
  /** The pooling the recipe trains with; a folder that pools otherwise is rejected. */
  pooling: 'lasttoken';
  /** The model_type the recipe was written for. */
  modelType: string;
}

export const TRAIN_RECIPES: Readonly<Record<string, TrainRecipe>> = {
  'lrat-qwen3': {
    name: 'lrat-qwen3',
    description: 'The LRAT paper’s fine-tune of Qwen3-Embedding (last-token pooling, web-search instruction on queries)',
    source: 'Yuqi-Zhou/LRAT FlagEmbedding-master/examples/finetune/embedder/run.sh (FlagEmbedding decoder_only, bf16, 8 GPUs, --negatives_cross_device)',
    lr: 1e-6,
    epochs: 2,
    warmup: 0.1,
    temperature: 0.02,
    groupSize: 10,
    batchSize: 256,
    // FlagEmbedding's query_instruction_format 'Instruct: {}\nQuery:{}' with the retrieval instruction.
    queryPrefix: 'Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:',
    queryMaxLength: 512,
    passageMaxLength: 512,
    pooling: 'lasttoken',
    modelType: 'qwen3',
  },
};

export function trainRecipe(name: string): TrainRecipe {
  const r = TRAIN_RECIPES[name];
  if (!r) throw new Error(`unknown recipe '${name}'; known: ${Object.keys(TRAIN_RECIPES).join(', ')}`);
  return r;
}
