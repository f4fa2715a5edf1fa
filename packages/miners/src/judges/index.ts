import { LlmJudge, type LlmJudgeOptions } from './llm';
import { noneJudge, type Judge } from './judge';
import { ReplayJudge } from './replay';
import { ruleJudge } from './rule';

export * from './judge';
export * from './replay';
export * from './rule';
export * from './llm';

export type JudgeName = 'llm' | 'replay' | 'none' | 'rule';
export const JUDGE_NAMES: readonly JudgeName[] = ['llm', 'replay', 'none', 'rule'];

export interface JudgeSpec {
  kind: JudgeName;
  /** replay: the verdicts JSONL. */
  verdicts?: string;
  /** llm: connection and cache options. */
  llm?: LlmJudgeOptions;
}

export function createJudge(spec: JudgeSpec): Judge {
  switch (spec.kind) {
    case 'none':
      return noneJudge;
    case 'rule':
      return ruleJudge;
    case 'replay':
      if (!spec.verdicts) throw new Error('the replay judge needs a verdicts file (--verdicts v.jsonl)');
      return ReplayJudge.fromFile(spec.verdicts);
    case 'llm':
      if (!spec.llm) throw new Error('the llm judge needs --judge-base-url and --judge-model');
      return new LlmJudge(spec.llm);
    default:
      throw new Error(`unknown judge "${String(spec.kind)}" (llm, replay, none, rule)`);
  }
}
