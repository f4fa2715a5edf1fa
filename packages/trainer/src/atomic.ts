import { promises as fsp } from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import { ownedByManifest, replaceDirectory } from '@lrat/indexer';
import { MANIFEST_FILE } from './encoders/weights-io';

export function tempSibling(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
}

/** Writes a file so readers see either the old or the new content, never a torn one. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const tmp = tempSibling(file);
  const fh = await fsp.open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
}

/**
 * Builds a model or checkpoint directory under a temporary name and swaps it into place through
 * @lrat/indexer's guarded swap: an existing directory is replaced only when it is an encoder folder
 * this project wrote (encoder.json with format "lrat-encoder") or empty.
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void>): Promise<void> {
  await replaceDirectory(dir, fill, { ownedBy: ownedByManifest(MANIFEST_FILE, 'lrat-encoder') });
}
