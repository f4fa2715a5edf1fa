import { createReadStream } from 'fs';
import { createInterface } from 'readline';
import { createGunzip } from 'zlib';

/** Streams the lines of a text file (gzip when it ends in .gz) with 1-based line numbers. */
export async function* readLines(file: string): AsyncGenerator<{ line: string; lineNo: number }> {
  const raw = createReadStream(file);
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of rl) {
      lineNo++;
      yield { line, lineNo };
    }
  } finally {
    rl.close();
    raw.destroy();
  }
}

/** An input error that names the file, line and field, as every reader in this package reports them. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    readonly lineNo: number,
    readonly field: string | undefined,
    message: string,
  ) {
    super(`${file}:${lineNo}${field ? ` (${field})` : ''}: ${message}`);
    this.name = 'InputError';
  }
}
