import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'fs';
import { bodyExcerpt, ChatClient, ChatRequestError, writeFileAtomicSync, type ChatClientOptions } from '@lrat/core';
import * as path from 'path';
import { cacheKeySha256, verdictOf, type Judge } from './judge';
import { parseVerdicts } from './replay';

// The LLM judge: an OpenAI-compatible chat completion (@lrat/core's ChatClient) with the official
// judge prompt. Unlike the official builder (3 attempts, then silently "not relevant"), it retries
// 408/409/429/5xx/timeouts/garbage with exponential backoff and jitter, caches every verdict on disk as
// soon as it arrives (sha256 of the judged text → verdict, the replay format), and fails loudly when
// the service stays down.

/** The official judge prompt (src/data_builder.py); the text goes in place of {{ANALYSIS_TEXT}}. */
export const JUDGE_PROMPT = `You are an LLM judge. You will classify whether the AnalysisText suggests the browsing text is relevant or not relevant, using a bias aligned with typical browsing behavior: models often keep searching even when content is relevant, but they only say “not relevant” when it’s clearly off-topic.

Input
AnalysisText: another model’s analysis of a browsing page.
Decision rule (important)
Output NOT_RELEVANT only if the analysis contains a clear negative judgment of relevance (explicit or unmistakable), such as: “not relevant / irrelevant / unrelated / off-topic / doesn’t help / cannot answer / no useful info,” or it clearly concludes the content is about a different topic and provides no value for the task.
Otherwise output RELEVANT.
    - This includes cases where the analysis:
    - extracts useful facts/steps/details from the page,
    - says the page is partially helpful,
    - suggests using it as background/context,
    - recommends continuing to search for more sources (continuing search does not imply irrelevance).
Output (strict)
Return exactly one token:

RELEVANT
NOT_RELEVANT

Classify this:
AnalysisText:
{{ANALYSIS_TEXT}}`;

export function judgePrompt(text: string): string {
  // A function replacement: the text is inserted verbatim ("$&" etc. are not patterns here).
  return JUDGE_PROMPT.replace('{{ANALYSIS_TEXT}}', () => text);
}

/** The official verdict rule: the reply's first whitespace-separated token is exactly RELEVANT. */
export function parseJudgeReply(content: string): boolean {
  const first = content.trim().split(/\s+/)[0] ?? '';
  return first === 'RELEVANT';
}

/** Whether a reply's first token is one of the two the prompt asks for (anything else still parses, as NOT_RELEVANT). */
export function isRecognisedJudgeReply(content: string): boolean {
  const first = content.trim().split(/\s+/)[0] ?? '';
  return first === 'RELEVANT' || first === 'NOT_RELEVANT';
}

export class JudgeUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JudgeUnavailableError';
  }
}

export interface LlmJudgeOptions extends ChatClientOptions {
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Attempts per text before giving up with JudgeUnavailableError (default 8). */
  maxAttempts?: number;
  /** Directory of the verdict cache (`<dir>/verdicts.jsonl`). */
  cacheDir?: string;
  /** Extra request body fields; default: the official sampling parameters. */
  body?: Record<string, unknown>;
}

export interface LlmJudgeCounters {
  requests: number;
  retries: number;
  cacheHits: number;
  judged: number;
  /** Replies whose first token was neither RELEVANT nor NOT_RELEVANT (counted as NOT_RELEVANT, not cached). */
  unrecognised: number;
}

interface Reply {
  verdict: boolean;
  recognised: boolean;
  content: string;
}

/** The official sampling parameters (src/data_builder.py). */
const OFFICIAL_BODY: Record<string, unknown> = { top_p: 0.95, top_k: 50, temperature: 0.8, n: 1, chat_template_kwargs: { enable_thinking: true } };

export class LlmJudge implements Judge {
  readonly name = 'llm';
  readonly counters: LlmJudgeCounters = { requests: 0, retries: 0, cacheHits: 0, judged: 0, unrecognised: 0 };
  private firstUnrecognised?: string;
  private readonly cache = new Map<string, boolean>();
  private readonly inflight = new Map<string, Promise<boolean>>();
  private readonly cacheFile?: string;
  private readonly client: ChatClient;
  private readonly body: Record<string, unknown>;

  constructor(opts: LlmJudgeOptions) {
    if (!/^https?:\/\//.test(opts.baseUrl)) throw new Error(`--judge-base-url must be an http(s) URL, got "${opts.baseUrl}"`);
    const { cacheDir, body, onRetry, ...clientOptions } = opts;
    this.client = new ChatClient({
      ...clientOptions,
      concurrency: opts.concurrency ?? 8,
      maxAttempts: opts.maxAttempts ?? 8,
      onRetry: (info) => {
        // Every retry is one more request.
        this.counters.retries++;
        this.counters.requests++;
        onRetry?.(info);
      },
    });
    this.body = body ?? OFFICIAL_BODY;
    if (cacheDir) {
      mkdirSync(cacheDir, { recursive: true });
      this.cacheFile = path.join(cacheDir, 'verdicts.jsonl');
      if (existsSync(this.cacheFile)) {
        let text = readFileSync(this.cacheFile, 'utf8');
        if (text.length && !text.endsWith('\n')) {
          // A run killed mid-append left a torn last line: drop it, or the next append would glue onto it.
          text = text.slice(0, text.lastIndexOf('\n') + 1);
          writeFileAtomicSync(this.cacheFile, text);
        }
        for (const [k, v] of parseVerdicts(text, this.cacheFile)) this.cache.set(k, v);
      }
    }
  }

  get cacheSize(): number {
    return this.cache.size;
  }

  async judge(texts: readonly string[]): Promise<boolean[]> {
    return Promise.all(texts.map((t) => this.judgeOne(t)));
  }

  judgeOne(text: string): Promise<boolean> {
    const sha = cacheKeySha256(text);
    const hit = this.cache.get(sha);
    if (hit !== undefined) {
      this.counters.cacheHits++;
      return Promise.resolve(hit);
    }
    let p = this.inflight.get(sha);
    if (!p) {
      p = this.fetchVerdict(text).then(({ verdict: v, recognised, content }) => {
        this.counters.judged++;
        if (!recognised) {
          // The official parse makes it NOT_RELEVANT; it is not cached, so a re-run (with a fixed model or prompt) asks again.
          this.counters.unrecognised++;
          this.firstUnrecognised ??= content;
          return v;
        }
        this.cache.set(sha, v);
        // Appended at once, so a crash or kill loses no verdict already paid for.
        if (this.cacheFile) appendFileSync(this.cacheFile, JSON.stringify({ reasoning_sha256: sha, verdict: verdictOf(v) }) + '\n');
        return v;
      });
      p.finally(() => this.inflight.delete(sha)).catch(() => undefined);
      this.inflight.set(sha, p);
    }
    return p;
  }

  /** A warning with the share of unrecognised replies, or null when every reply was RELEVANT or NOT_RELEVANT. */
  unrecognisedWarning(): string | null {
    const { unrecognised: u, judged: n } = this.counters;
    if (u === 0) return null;
    return (
      `${u} of ${n} LLM judge replies (${((100 * u) / n).toFixed(1)}%) started with neither RELEVANT nor NOT_RELEVANT ` +
      `(first: ${JSON.stringify(bodyExcerpt(this.client.redact(this.firstUnrecognised ?? ''), 60))}); they count as NOT_RELEVANT, as in the official builder, and are not cached`
    );
  }

  private async fetchVerdict(text: string): Promise<Reply> {
    this.counters.requests++;
    let content: string;
    try {
      content = await this.client.completeText({ messages: [{ role: 'user', content: judgePrompt(text) }], ...this.body });
    } catch (e) {
      if (!(e instanceof ChatRequestError)) throw e;
      // The client's message is already redacted.
      if (e.retryable) throw new JudgeUnavailableError(`LLM judge at ${this.client.baseUrl} failed ${e.attempts} times; last error: ${e.message}`);
      throw new JudgeUnavailableError(`LLM judge at ${this.client.baseUrl} refused the request: ${e.message}`);
    }
    return { verdict: parseJudgeReply(content), recognised: isRecognisedJudgeReply(content), content };
  }
}
