import * as fs from 'fs';
import { promises as fsp } from 'fs';
import * as path from 'path';
import { randomBytes } from 'crypto';

// One atomic file writer for every stage (indexes, TREC runs, models, caches, reports, mining stats):
// the content goes to a sibling temp file, is synced, and is renamed over the target, so a reader sees
// either the old content or the complete new one, never a torn file.

/** A sibling temp path, so the final rename stays on one file system (and is therefore atomic). */
export function tempSibling(target: string, tag = 'tmp'): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${tag}-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes a file so that readers see either the old content or the complete new content. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await fsp.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = tempSibling(path.resolve(file));
  const handle = await fsp.open(tmp, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}

/** `writeFileAtomic` for places where no asynchronous work can run (exit hooks, constructors, sync renderers). */
export function writeFileAtomicSync(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = tempSibling(path.resolve(file));
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * `writeFileAtomic` for output too large to hold: `fill` streams it through `write` (which waits when
 * the disk falls behind); the temp file is synced and renamed over `file` only when `fill` resolves,
 * and removed when it throws.
 */
export async function writeStreamAtomic<T>(file: string, fill: (write: (chunk: string) => Promise<void>) => Promise<T>): Promise<T> {
  await fsp.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = tempSibling(path.resolve(file));
  const out = fs.createWriteStream(tmp);
  let failed: Error | null = null;
  out.on('error', (e) => (failed = e));
  const write = async (chunk: string): Promise<void> => {
    if (failed) throw failed;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  try {
    const result = await fill(write);
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (failed) throw failed;
    const handle = await fsp.open(tmp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(tmp, file);
    return result;
  } catch (err) {
    out.destroy();
    await fsp.rm(tmp, { force: true });
    throw err;
  }
}
