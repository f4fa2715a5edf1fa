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

/** sha256 hex of the UTF-8 text exactly as judged: the key of replay files and the LLM cache. */
export function reasoningSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
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
    this.verdicts.set(reasoningSha256(text), verdictOf(relevant));
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
