// Public API of @lrat/trainer: tfjs backend selection, encoders, weighted InfoNCE and training.
export { selectBackend, BACKEND_NAMES, wasmBinaryDir } from './backend/select-backend';
export type { BackendName, BackendSelection, BackendAttempt, BackendLoader, SelectBackendOptions } from './backend/select-backend';
export { registerWasmKernels, unsortedSegmentSum } from './backend/wasm-kernels';

export type { Encoder, EncoderKind, Side, PreparedBatch, PrepareOptions, NamedVariable, EncoderManifest } from './encoders/encoder';
export { createEncoder, loadEncoder, ENCODER_KINDS } from './encoders';
export type { EncoderOptions } from './encoders';
export { UseAdapterEncoder } from './encoders/use-adapter';
export type { UseAdapterOptions } from './encoders/use-adapter';
export { BowEncoder } from './encoders/bow';
export type { BowOptions } from './encoders/bow';
export { readManifest } from './encoders/weights-io';
export { EmbeddingCache, defaultCacheDir } from './embedding-cache';
export { UseLiteModel, useModelDir, USE_DIM } from './use/use-model';
export { SentencePieceTokenizer } from './use/sentencepiece-tokenizer';

export { weightedInfoNce, infoNceTerms } from './loss';
export type { InfoNceInputs } from './loss';
export { sampleGroup, layoutBatch } from './groups';
export type { TrainingSample, Group, BatchLayout } from './groups';
export { readPairs, loadPairs, parsePairRecord } from './pairs';
export type { PairCounts, PairsReadOptions } from './pairs';
export { learningRate } from './schedule';
export { AdamW } from './adamw';
export type { AdamWOptions } from './adamw';
export { Rng } from './rng';
export { train, defaultLearningRate } from './train';
export type { TrainOptions, TrainResult, TrainProgress, TrainPhase, MetricLine, Evaluator } from './train';
export { latestCheckpoint } from './checkpoint';
export { devEvaluator, denseRun, exactTopK } from './dev-eval';
export type { DevSet } from './dev-eval';
export { tinyEncoder, charTokens } from './testing/tiny-encoder';
