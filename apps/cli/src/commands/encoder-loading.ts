import * as path from 'path';
import type { EncoderRef, TextEmbedder } from '@lrat/indexer';
import { loadEncoder, selectBackend } from '@lrat/trainer';

let backendReady: Promise<unknown> | undefined;

/** Loads a model directory saved by `lrat train` as a TextEmbedder, picking the tfjs backend once per process. */
export async function loadModelEmbedder(modelDir: string, say: (line: string) => void): Promise<TextEmbedder & { dispose?(): void }> {
  backendReady ??= selectBackend({ log: say });
  await backendReady;
  return loadEncoder(path.resolve(modelDir));
}

/** What `lrat search` and `lrat index` call to turn a manifest's encoder record into an encoder. */
export type EmbedderLoader = (ref: EncoderRef) => Promise<TextEmbedder>;
