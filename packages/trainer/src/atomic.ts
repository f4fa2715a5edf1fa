import { ownedByManifest, replaceDirectory } from '@lrat/core';
import { MANIFEST_FILE } from './encoders/weights-io';

/**
 * Builds a model or checkpoint directory under a temporary name and swaps it into place through
 * @lrat/core's guarded swap: an existing directory is replaced only when it is an encoder folder
 * this project wrote (encoder.json with format "lrat-encoder") or empty.
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  await replaceDirectory(dir, fill, { ownedBy: ownedByManifest(MANIFEST_FILE, 'lrat-encoder') });
}
