import { createHash } from 'crypto';

// A relevance judge reads the reasoning an agent wrote right after browsing a document and says
// whether that document was RELEVANT. Synchronous judges (no I/O) expose judgeSync so worker threads
// can mine without awaiting; every judge answers the batched async form.

export interface Judge {
  readonly name: string;
  /** Verdicts in order: true = RELEVANT. Rejects (never guesses) when a verdict cannot be obtained. */
  judge(texts: readonly string[]): Promise<boolean[]>;
  judgeSync?(text: string): boolean;
  close?(): Promise<void>;
}

// ES2024 string methods (Node 20 has them; the workspace's TypeScript lib is ES2023).
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * A judged text that has no UTF-8 form (a lone surrogate from a `\ud800` escape). Python's
 * `text.encode("utf-8")` raises on it, so the official run with replayed verdicts drops the
 * trajectory; mining reports it as a dropped trajectory too.
 */
export class UnencodableTextError extends Error {
  constructor(readonly text: string) {
    super('reasoning text holds a lone surrogate and cannot be encoded as UTF-8 to look up its verdict');
    this.name = 'UnencodableTextError';
  }
}

/** sha256 hex of the UTF-8 text exactly as judged: the key of replay files and the LLM cache. */
export function reasoningSha256(text: string): string {
  if (!(text as unknown as WellFormed).isWellFormed()) throw new UnencodableTextError(text);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Like reasoningSha256 but defined for every string (lone surrogates as U+FFFD): the LLM cache key. */
export function cacheKeySha256(text: string): string {
  return createHash('sha256').update((text as unknown as WellFormed).toWellFormed(), 'utf8').digest('hex');
}

export type Verdict = 'RELEVANT' | 'NOT_RELEVANT';

export function verdictOf(relevant: boolean): Verdict {
  return relevant ? 'RELEVANT' : 'NOT_RELEVANT';
}

/** The judge every browse is relevant to: the "no judge" ablation. */
export const noneJudge: Judge = {
  name: 'none',
  judgeSync: () => true,
  judge: async (texts) => texts.map(() => true),
};

/** Wraps a judge and remembers every verdict it gave (for `lrat mine --save-verdicts`). */
export class RecordingJudge implements Judge {
  readonly verdicts = new Map<string, Verdict>();
  readonly name: string;
  readonly judgeSync?: (text: string) => boolean;
  constructor(private readonly inner: Judge) {
    this.name = inner.name;
    if (inner.judgeSync) {
      const sync = inner.judgeSync.bind(inner);
      this.judgeSync = (text) => {
        const v = sync(text);
        this.record(text, v);
        return v;
      };
    }
  }
  record(text: string, relevant: boolean): void {
    // A text without a UTF-8 form has no replay key: it is not recorded (and mining goes on).
    if ((text as unknown as WellFormed).isWellFormed()) this.verdicts.set(reasoningSha256(text), verdictOf(relevant));
  }
  async judge(texts: readonly string[]): Promise<boolean[]> {
    const v = await this.inner.judge(texts);
    texts.forEach((t, i) => this.record(t, v[i]));
    return v;
  }
  async close(): Promise<void> {
    await this.inner.close?.();
  }
}
