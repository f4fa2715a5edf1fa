/**
 * Bad input in a data file, named as every reader reports it: `file:line: field "x": reason`, or
 * `file:line: reason` when the whole line is at fault (not JSON, not an object).
 */
export class InputFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly field: string | undefined,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${field ? `field "${field}": ` : ''}${reason}`);
    this.name = 'InputFileError';
  }
}
