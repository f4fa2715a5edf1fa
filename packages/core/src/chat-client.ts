// The one OpenAI-compatible chat-completions client (OpenAI, vLLM, Ollama, llama.cpp servers), used by
// the miners' relevance judge, @lrat/agents' OpenAI agent and @lrat/evaluation's answer judge, so all of them retry, time
// out and keep the key secret the same way. Transient failures (network errors, timeouts, HTTP
// 408/409/429/5xx, a reply that is not a chat completion) are retried with exponential backoff and
// jitter, waiting at least as long as a Retry-After header asks; anything else fails at once. The API
// key comes from an option or an environment variable, is sent as a bearer token and never appears in
// an error, a retry notice or a quoted response body.

import { bodyExcerpt, redactSecrets } from './redact';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_calls?: ChatToolCall[];
  tool_call_id?: string;
  name?: string;
  /** Reasoning text some servers return beside content (vLLM `reasoning_content`, Ollama `reasoning`). */
  reasoning_content?: string | null;
  reasoning?: string | null;
}

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** The request body; `model` defaults to the client's. Extra fields (sampling options a server understands) pass through. */
export interface ChatCompletionRequest {
  model?: string;
  messages: ChatMessage[];
  tools?: unknown[];
  tool_choice?: 'auto' | 'none' | 'required';
  temperature?: number;
  max_tokens?: number;
  seed?: number;
  [field: string]: unknown;
}

export interface ChatCompletionResponse {
  choices: Array<{ message: ChatMessage; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

export interface ChatRetryInfo {
  /** The attempt that failed (1 = the first request). */
  attempt: number;
  /** Why it failed (redacted). */
  reason: string;
  /** How long the client waits before the next attempt. */
  delayMs: number;
}

export interface ChatClientOptions {
  /** e.g. "http://127.0.0.1:8000/v1" (the client appends /chat/completions). */
  baseUrl: string;
  model: string;
  /** The API key; default: the environment variable named by `apiKeyEnv`. Omitted from requests when empty. */
  apiKey?: string;
  /** Environment variable holding the key when `apiKey` is not given (default OPENAI_API_KEY). */
  apiKeyEnv?: string;
  /** Requests per call before giving up, the first included (default 5). */
  maxAttempts?: number;
  /** Backoff before the n-th retry: uniformly in [cap/2, cap], cap = min(backoffMaxMs, backoffBaseMs · 2^(n-1)) (default 500). */
  backoffBaseMs?: number;
  /** Upper bound of any wait, Retry-After included (default 30000). */
  backoffMaxMs?: number;
  /** Time limit of one request, reading the reply included (default 120000). */
  timeoutMs?: number;
  /** Requests in flight at once across all calls on this client (default: no limit); backoff waits hold no slot. */
  concurrency?: number;
  /** Notified before each retry (for logs and counters). */
  onRetry?: (info: ChatRetryInfo) => void;
  /** Injected for tests: the fetch, the backoff wait, the jitter source and the clock (for Retry-After dates). */
  fetchImpl?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export class ChatRequestError extends Error {
  constructor(
    message: string,
    /** The HTTP status, when the service answered. */
    readonly status?: number,
    /** Whether another attempt could succeed (false: the request itself was refused). */
    readonly retryable = false,
    /** Requests made before this error was raised. */
    readonly attempts = 1,
    /** What a Retry-After header asked for, in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'ChatRequestError';
  }
}

const RETRYABLE_STATUS = new Set([408, 409, 429]);

/** Whether an HTTP status is worth another attempt: request timeout, conflict, rate limit, server errors. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status) || status >= 500;
}

/** A Retry-After header (delta-seconds or an HTTP date) in ms from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
  // An HTTP date has a weekday and month name; Date.parse alone would read "-5" as a year.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait before retry number `retry` (1-based): "equal jitter", at least half the exponential cap, never under Retry-After. */
export function backoffDelay(retry: number, random: number, options: { baseMs: number; maxMs: number; retryAfterMs?: number }): number {
  const cap = Math.min(options.maxMs, options.baseMs * 2 ** (retry - 1));
  const jittered = Math.round(cap / 2 + (cap / 2) * random);
  return Math.max(jittered, Math.min(options.retryAfterMs ?? 0, options.maxMs));
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

type Check = (response: ChatCompletionResponse) => string | undefined;

const hasMessage: Check = (r) =>
  Array.isArray(r.choices) && r.choices.length > 0 && typeof r.choices[0]?.message === 'object' && r.choices[0].message !== null ? undefined : 'response has no choices[0].message';

export class ChatClient {
  readonly baseUrl: string;
  readonly model: string;
  private readonly url: string;
  private readonly apiKey: string;
  private readonly o: {
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxMs: number;
    timeoutMs: number;
    concurrency: number;
    fetchImpl: typeof fetch;
    sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
    random: () => number;
    now: () => number;
    onRetry?: (info: ChatRetryInfo) => void;
  };
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(options: ChatClientOptions) {
    if (!/^https?:\/\//.test(options.baseUrl)) throw new Error(`the chat endpoint must be an http(s) URL, got "${options.baseUrl}"`);
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.url = `${this.baseUrl}/chat/completions`;
    this.model = options.model;
    this.apiKey = options.apiKey ?? process.env[options.apiKeyEnv ?? 'OPENAI_API_KEY'] ?? '';
    this.o = {
      maxAttempts: Math.max(1, options.maxAttempts ?? 5),
      backoffBaseMs: options.backoffBaseMs ?? 500,
      backoffMaxMs: options.backoffMaxMs ?? 30000,
      timeoutMs: options.timeoutMs ?? 120000,
      concurrency: options.concurrency ?? Infinity,
      fetchImpl: options.fetchImpl ?? fetch,
      sleep: options.sleep ?? abortableSleep,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
      onRetry: options.onRetry,
    };
  }

  /** `text` with the key and anything that looks like a token replaced by [REDACTED]. */
  redact(text: string): string {
    return redactSecrets(text, [this.apiKey]);
  }

  /** A chat completion with at least `choices[0].message`; retried as the options say. */
  complete(request: ChatCompletionRequest, signal?: AbortSignal): Promise<ChatCompletionResponse> {
    return this.withRetries(request, hasMessage, signal);
  }

  /** The text of `choices[0].message.content`; a reply without one is a malformed reply, retried like any other. */
  async completeText(request: ChatCompletionRequest, signal?: AbortSignal): Promise<string> {
    const res = await this.withRetries(request, (r) => hasMessage(r) ?? (typeof r.choices[0].message.content === 'string' ? undefined : 'response has no choices[0].message.content'), signal);
    return res.choices[0].message.content as string;
  }

  private async withRetries(request: ChatCompletionRequest, check: Check, signal?: AbortSignal): Promise<ChatCompletionResponse> {
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let err: ChatRequestError;
      await this.acquire();
      try {
        return await this.once(request, check, attempt, signal);
      } catch (e) {
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
        err = e instanceof ChatRequestError ? e : new ChatRequestError(this.redact(`${this.url}: ${(e as Error).message}`), undefined, false, attempt);
      } finally {
        this.release();
      }
      if (!err.retryable || attempt >= this.o.maxAttempts) throw err;
      const delayMs = backoffDelay(attempt, this.o.random(), { baseMs: this.o.backoffBaseMs, maxMs: this.o.backoffMaxMs, retryAfterMs: err.retryAfterMs });
      this.o.onRetry?.({ attempt, reason: err.message, delayMs });
      await this.o.sleep(delayMs, signal);
    }
  }

  private async once(request: ChatCompletionRequest, check: Check, attempt: number, signal?: AbortSignal): Promise<ChatCompletionResponse> {
    const fail = (message: string, status?: number, retryable = true, retryAfterMs?: number) =>
      new ChatRequestError(this.redact(`${this.url}: ${message}`), status, retryable, attempt, retryAfterMs);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.o.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await this.o.fetchImpl(this.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: this.model, ...request }),
        signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
      });
      text = await res.text();
    } catch (e) {
      if (signal?.aborted) throw e;
      throw timeout.signal.aborted ? fail(`timeout after ${this.o.timeoutMs} ms`) : fail(`network error: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    if (!res.ok) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.o.now());
      throw fail(`HTTP ${res.status}: ${bodyExcerpt(text, 300, [this.apiKey])}`, res.status, isRetryableStatus(res.status), retryAfterMs);
    }
    let body: ChatCompletionResponse;
    try {
      body = JSON.parse(text) as ChatCompletionResponse;
    } catch {
      throw fail(`response is not JSON: ${JSON.stringify(bodyExcerpt(text, 200, [this.apiKey]))}`, res.status);
    }
    const problem = typeof body === 'object' && body !== null ? check(body) : 'response is not a JSON object';
    if (problem) throw fail(problem, res.status);
    return body;
  }

  private async acquire(): Promise<void> {
    if (this.active < this.o.concurrency) {
      this.active++;
      return;
    }
    await new Promise<void>((r) => this.waiting.push(r));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}
