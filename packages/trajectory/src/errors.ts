/** Where an input item came from: file, 1-based line for JSONL, and the offending field when known. */
export interface SourceRef {
  file: string;
  line?: number;
}

/**
 * A trajectory input that could not be used. `skipped`: the file/line is not a trajectory at all
 * (unreadable, not JSON, no `result`); `dropped`: it is one, but mining it hit an error, so the whole
 * trajectory yields nothing (the official builder's all-or-nothing rule); `truncated`: the last line
 * of a JSONL file ends without a newline and does not parse (a writer killed mid-line).
 */
export type InputErrorKind = 'skipped' | 'dropped' | 'truncated';

export class TrajectoryInputError extends Error {
  constructor(
    readonly kind: InputErrorKind,
    readonly source: SourceRef,
    readonly reason: string,
    readonly field?: string,
  ) {
    super(
      `${source.file}${source.line !== undefined ? `:${source.line}` : ''}: ${kind === 'dropped' ? 'trajectory dropped' : kind === 'truncated' ? 'truncated line skipped' : 'skipped'}` +
        `${field ? ` (field ${field})` : ''}: ${reason}`,
    );
    this.name = 'TrajectoryInputError';
  }
}

/** A problem with one field of an otherwise parsed trajectory (converted to a TrajectoryInputError with its source). */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
    this.name = 'FieldError';
  }
}
