// The one training record, from the miner through the weighting to the trainer, under the JSONL
// field names users see (FlagEmbedding's query/pos/neg plus the extras the LRAT builder writes;
// docs/lrat-algorithm.md §2). Plain FlagEmbedding data fills only the first three.

export interface TrainingSample {
  query: string;
  pos: string[];
  neg: string[];
  /** Relevance weight; missing → 1. */
  reweight_rate?: number;
  pos_id?: string[];
  neg_id?: string[];
  /** Token count of the post-browse reasoning; null when no tokenizer measured it. */
  reasoning_len?: number | null;
  /** The judge's verdict on the browse (false rows are left out of training by default). */
  satisfied?: boolean;
  /** When the source query was not a string: its JSON, written as-is in the output (official behaviour). */
  queryJson?: string;
}

/** A sample as the LRAT miner makes it: every LRAT field set (`reweight_rate` once the run is weighted). */
export type LratSample = TrainingSample & Required<Pick<TrainingSample, 'pos_id' | 'neg_id' | 'reasoning_len' | 'satisfied'>>;
