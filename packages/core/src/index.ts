// Public API of @lrat/core: the ideas every LRAT stage shares, defined once.
export { createRng, hashString, mulberry32 } from './random';
export type { Rng } from './random';
export { createProgress, formatSeconds } from './progress';
export type { Progress, ProgressOptions } from './progress';
export type { Hit, BasicSearcher, Searcher } from './search';
export { writeFileAtomic, writeFileAtomicSync, tempSibling } from './atomic-write';
export { replaceDirectory, recoverDirectory, sweepStaleTemps, ownedByManifest, isProcessAlive, ForeignDirectoryError } from './directory-swap';
export type { ReplaceDirectoryOptions } from './directory-swap';
export { documentText } from './document';
export type { Doc } from './document';
export { loadQwen3Codec } from './qwen3-codec';
export type { TokenCodec } from './qwen3-codec';
export type { LratSample, TrainingSample } from './training-sample';
export { ChatClient, ChatRequestError, isRetryableStatus, parseRetryAfter, backoffDelay } from './chat-client';
export type { ChatClientOptions, ChatRetryInfo, ChatMessage, ChatToolCall, ChatCompletionRequest, ChatCompletionResponse } from './chat-client';
export { redactSecrets, bodyExcerpt, REDACTED } from './redact';
export { createSnippeter, whitespaceSnippeter, codecSnippeter, fullTextSnippeter, FULL_TEXT, SnippetCache } from './snippet';
export type { Snippeter, SnippetTokenizer } from './snippet';
