import { InputFileError } from './input-file-error';

/** One JSONL line as a JSON object, or an error naming file and line. */
export function parseJsonRecord(text: string, file: string, line: number): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputFileError(file, line, undefined, `invalid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputFileError(file, line, undefined, 'expected a JSON object');
  return value as Record<string, unknown>;
}

/** The first of `names` holding a non-empty string or a finite number (as its decimal text). */
export function idField(rec: Record<string, unknown>, names: readonly string[], file: string, line: number): string {
  for (const name of names) {
    const v = rec[name];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  throw new InputFileError(file, line, names[0], `missing id (a non-empty string or a number in ${names.map((n) => `"${n}"`).join(', ')})`);
}

/** A string field; absent or null is `undefined` unless required. */
export function stringField(rec: Record<string, unknown>, name: string, required: boolean, file: string, line: number): string | undefined {
  const v = rec[name];
  if (v === undefined || v === null) {
    if (required) throw new InputFileError(file, line, name, 'missing');
    return undefined;
  }
  if (typeof v !== 'string') throw new InputFileError(file, line, name, `expected a string, got ${typeof v}`);
  return v;
}

/** True for a `.tsv` or `.tsv.gz` file name. */
export function isTsv(file: string): boolean {
  return /\.tsv(\.gz)?$/.test(file);
}
