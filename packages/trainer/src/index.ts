// Public API of @lrat/trainer: tfjs backend selection, encoders, weighted InfoNCE and training.
export { selectBackend, BACKEND_NAMES } from './backend/select-backend';
export type { BackendName, BackendSelection, BackendAttempt, BackendLoader, SelectBackendOptions } from './backend/select-backend';

export type { Encoder, EncoderKind, Side, PreparedBatch, PrepareOptions, NamedVariable, EncoderManifest } from './encoders/encoder';
export { createEncoder, loadEncoder, ENCODER_KINDS, TRAINABLE_SIDES } from './encoders';
export type { EncoderOptions, TrainSides } from './encoders';
export type { UseAdapterOptions } from './encoders/use-adapter';
export type { TransformerOptions } from './encoders/transformer';
export { TRAIN_RECIPES, trainRecipe } from './recipes';
export type { TrainRecipe } from './recipes';
export type { UseOptions, TrainLayers } from './encoders/use';
export type { BowOptions } from './encoders/bow';

export { weightedInfoNce } from './loss';
export type { InfoNceInputs } from './loss';
export type { TrainingSample } from './groups';
export { readPairs, loadPairs } from './pairs';
export type { PairCounts, PairsReadOptions, LratPairsReadOptions } from './pairs';
export { train } from './train';
export { interpolateTowardBase } from './interpolate';
export { trainOnThread } from './parallel/train-thread';
export type { ThreadTrainOptions } from './parallel/train-thread';
export type { MicroBatchSizes } from './contrastive-step';
export type { TrainOptions, TrainResult, TrainProgress, TrainPhase, MetricLine, Evaluator } from './train';
export { devEvaluator } from './dev-eval';
export type { DevSet } from './dev-eval';
