import { readFileSync } from 'fs';
import { reasoningSha256, type Judge, type Verdict } from './judge';

// Verdicts replayed from JSONL `{"reasoning_sha256", "verdict"}` lines (what the parity data ships and
// what `--save-verdicts` and the LLM cache write). A text with no verdict is an error, never a guess.

export class MissingVerdictError extends Error {
  constructor(
    readonly sha256: string,
    readonly text: string,
    readonly source: string,
  ) {
    const preview = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    super(`no verdict for reasoning_sha256 ${sha256} in ${source} (text: ${JSON.stringify(preview)})`);
    this.name = 'MissingVerdictError';
  }
}

/** Parse replay JSONL text; errors name file, line and field. Later lines override earlier ones. */
export function parseVerdicts(text: string, file: string): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const where = `${file}:${i + 1}`;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      // A writer killed mid-line leaves a truncated last line: skip it, the verdict is simply not there.
      if (i === lines.length - 1) return;
      throw new Error(`${where}: not valid JSON: ${(e as Error).message}`);
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${where}: expected a JSON object`);
    const o = v as Record<string, unknown>;
    if (typeof o.reasoning_sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(o.reasoning_sha256)) {
      throw new Error(`${where} (field reasoning_sha256): expected 64 lowercase hex characters`);
    }
    const verdict = o.verdict;
    if (verdict !== 'RELEVANT' && verdict !== 'NOT_RELEVANT' && typeof verdict !== 'boolean') {
      throw new Error(`${where} (field verdict): expected "RELEVANT" or "NOT_RELEVANT", got ${JSON.stringify(verdict)}`);
    }
    out.set(o.reasoning_sha256, verdict === true || verdict === 'RELEVANT');
  });
  return out;
}

export class ReplayJudge implements Judge {
  readonly name = 'replay';
  constructor(
    private readonly verdicts: Map<string, boolean>,
    private readonly source = 'replay verdicts',
  ) {}

  static fromFile(file: string): ReplayJudge {
    return new ReplayJudge(parseVerdicts(readFileSync(file, 'utf8'), file), file);
  }

  static fromEntries(entries: Iterable<[string, Verdict | boolean]>, source?: string): ReplayJudge {
    const m = new Map<string, boolean>();
    for (const [k, v] of entries) m.set(k, v === true || v === 'RELEVANT');
    return new ReplayJudge(m, source);
  }

  get size(): number {
    return this.verdicts.size;
  }

  judgeSync(text: string): boolean {
    const sha = reasoningSha256(text);
    const v = this.verdicts.get(sha);
    if (v === undefined) throw new MissingVerdictError(sha, text, this.source);
    return v;
  }

  async judge(texts: readonly string[]): Promise<boolean[]> {
    return texts.map((t) => this.judgeSync(t));
  }
}
