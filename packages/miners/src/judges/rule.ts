import type { Judge } from './judge';

// An offline, deterministic stand-in for the LLM judge, following the same decision rule: NOT_RELEVANT
// only on a clear negative judgement of relevance in the reasoning; everything else (extracting
// facts, partial help, wanting to search more) is RELEVANT. The bench uses it for simulated agents.

const NEGATIVE_PATTERNS: readonly RegExp[] = [
  /\bnot (?:\w+ )?relevant\b/,
  /\bisn['’]t (?:\w+ )?relevant\b/,
  /\birrelevant\b/,
  /\bunrelated\b/,
  /\boff[- ]topic\b/,
  /\b(?:does not|doesn['’]t|did not|didn['’]t) (?:\w+ )?(?:mention|help|contain|answer|address|cover)\b/,
  /\bno (?:\w+ )?(?:information|info|mention|details?) (?:about|on|of|regarding)\b/,
  /\bno (?:useful|relevant) (?:information|info|content|details?)\b/,
  /\bnot (?:\w+ )?(?:helpful|useful)\b/,
  /\b(?:cannot|can['’]t|can not) (?:be used to )?answer\b/,
  /\b(?:is|was|seems|appears to be) about (?:a |an )?(?:different|another|unrelated) (?:topic|subject|person|thing)\b/,
  /\bwrong (?:document|page|article|person)\b/,
];

/** True when the text contains a clear negative relevance judgement. */
export function isClearlyNegative(text: string): boolean {
  const t = text.toLowerCase();
  return NEGATIVE_PATTERNS.some((re) => re.test(t));
}

export const ruleJudge: Judge = {
  name: 'rule',
  judgeSync: (text) => !isClearlyNegative(text),
  judge: async (texts) => texts.map((t) => !isClearlyNegative(t)),
};
