/** Request limits; every one is a CLI flag of `lrat serve`. */
export interface Limits {
  /** Largest k a client may ask for (HTTP API; MCP uses the server's fixed k). */
  maxK: number;
  maxQueryChars: number;
  maxDocidChars: number;
  /** Reasoning / answer / question text per request. */
  maxTextChars: number;
  /** Largest HTTP request body, bytes (fastify answers 413 above it). */
  bodyLimitBytes: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxK: 100,
  maxQueryChars: 2048,
  maxDocidChars: 512,
  maxTextChars: 200_000,
  bodyLimitBytes: 1024 * 1024,
};

/** Session ids name trajectories and travel in headers: a conservative character set. */
export const SESSION_ID_PATTERN = '^[A-Za-z0-9._:@-]{1,128}$';
