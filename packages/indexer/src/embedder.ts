/**
 * What a dense index needs from an encoder. @lrat/trainer's encoders implement it; the indexer stays
 * independent of any model code. Vectors come back as one Float32Array of n × dim, row-major.
 */
export interface TextEmbedder {
  /** Stable identifier of the model (e.g. "use-adapter"), recorded in index manifests. */
  readonly id: string;
  /** Version of the weights (e.g. a checksum), recorded in index manifests. */
  readonly version: string;
  readonly dim: number;
  embedQueries(texts: string[]): Promise<Float32Array>;
  embedDocuments(texts: string[]): Promise<Float32Array>;
}
