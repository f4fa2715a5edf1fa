import { promises as fsp } from 'fs';
import * as path from 'path';

/** A Hugging Face model folder's `config.json`, parsed, with its path for error messages. */
export async function readModelConfig(dir: string): Promise<{ raw: Record<string, unknown>; file: string }> {
  const file = path.join(dir, 'config.json');
  try {
    return { raw: JSON.parse(await fsp.readFile(file, 'utf8')) as Record<string, unknown>, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${file}: missing (not a Hugging Face model folder)`);
    throw new Error(`${file}: invalid JSON (${(err as Error).message})`);
  }
}
