/** Bad input from a client: HTTP 400 / an MCP tool error, never a crash. */
export class InputError extends Error {
  readonly statusCode = 400;
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** A document id that is not in the corpus: HTTP 404 / an MCP tool error. */
export class NotFoundError extends Error {
  readonly statusCode = 404;
  constructor(message: string) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** A reload while another is running: HTTP 409. */
export class ConflictError extends Error {
  readonly statusCode = 409;
  constructor(message: string) {
    super(message);
    this.name = 'ConflictError';
  }
}
