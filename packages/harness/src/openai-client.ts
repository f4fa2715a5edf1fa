// A minimal OpenAI-compatible chat-completions client (OpenAI, vLLM, Ollama, llama.cpp servers):
// retries with exponential backoff on network errors, 408/409/429/5xx (honouring Retry-After), a
// per-request timeout, and cancellation. The API key is sent, never logged or put in errors.

import { bodyExcerpt } from '@lrat/miners';

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

export interface ChatCompletionRequest {
  model?: string;
  messages: ChatMessage[];
  tools?: unknown[];
  tool_choice?: 'auto' | 'none' | 'required';
  temperature?: number;
  max_tokens?: number;
  seed?: number;
}

export interface ChatCompletionResponse {
  choices: Array<{ message: ChatMessage; finish_reason?: string | null }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

export interface ChatClientOptions {
  /** e.g. "http://127.0.0.1:8000/v1" (the client appends /chat/completions). */
  baseUrl: string;
  model: string;
  /** Defaults to the OPENAI_API_KEY environment variable; omitted from requests when empty. */
  apiKey?: string;
  /** Attempts after the first (default 4). */
  maxRetries?: number;
  /** First backoff delay in ms, doubled per retry with jitter (default 500). */
  backoffMs?: number;
  /** Per-request time limit in ms (default 120000). */
  requestTimeoutMs?: number;
  /** Notified before each retry (for logs; never sees the key). */
  onRetry?: (info: { attempt: number; delayMs: number; reason: string }) => void;
}

export class ChatRequestError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'ChatRequestError';
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export class ChatClient {
  readonly baseUrl: string;
  readonly model: string;
  private readonly apiKey: string;

  constructor(private readonly options: ChatClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.model = options.model;
    this.apiKey = options.apiKey ?? process.env.OPENAI_API_KEY ?? '';
  }

  async complete(request: ChatCompletionRequest, signal?: AbortSignal): Promise<ChatCompletionResponse> {
    const maxRetries = this.options.maxRetries ?? 4;
    const base = this.options.backoffMs ?? 500;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(request, signal);
      } catch (e) {
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
        const err = e instanceof ChatRequestError ? e : new ChatRequestError(`request failed: ${(e as Error).message}`, undefined, true);
        if (!err.retryable || attempt >= maxRetries) throw err;
        const retryAfter = (err as ChatRequestError & { retryAfterMs?: number }).retryAfterMs;
        const delayMs = Math.min(30000, retryAfter ?? base * 2 ** attempt * (0.75 + Math.random() * 0.5));
        this.options.onRetry?.({ attempt: attempt + 1, delayMs, reason: err.message });
        await sleep(delayMs, signal);
      }
    }
  }

  private async once(request: ChatCompletionRequest, signal?: AbortSignal): Promise<ChatCompletionResponse> {
    const timeout = AbortSignal.timeout(this.options.requestTimeoutMs ?? 120000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.apiKey) headers.authorization = `Bearer ${this.apiKey}`;
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}/chat/completions`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ model: this.model, ...request }),
        signal: combined,
      });
    } catch (e) {
      if (timeout.aborted && !signal?.aborted) throw new ChatRequestError(`request timed out after ${this.options.requestTimeoutMs ?? 120000} ms`, undefined, true);
      throw e;
    }
    const text = await res.text();
    if (!res.ok) {
      const retryable = [408, 409, 429].includes(res.status) || res.status >= 500;
      const err = new ChatRequestError(`${this.baseUrl}/chat/completions: HTTP ${res.status}: ${bodyExcerpt(text, 300, [this.apiKey])}`, res.status, retryable) as ChatRequestError & { retryAfterMs?: number };
      const ra = Number(res.headers.get('retry-after'));
      if (Number.isFinite(ra) && ra >= 0 && res.headers.get('retry-after') !== null) err.retryAfterMs = ra * 1000;
      throw err;
    }
    let body: ChatCompletionResponse;
    try {
      body = JSON.parse(text) as ChatCompletionResponse;
    } catch {
      throw new ChatRequestError(`${this.baseUrl}/chat/completions: response is not JSON: ${bodyExcerpt(text, 200, [this.apiKey])}`, res.status, true);
    }
    if (!Array.isArray(body.choices) || body.choices.length === 0 || typeof body.choices[0]?.message !== 'object') {
      throw new ChatRequestError(`${this.baseUrl}/chat/completions: response has no choices[0].message`, res.status, true);
    }
    return body;
  }
}
