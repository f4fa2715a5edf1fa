import { reasoningSha256, type Judge } from '../judges/judge';

/**
 * A deterministic test double: RELEVANT when the sha256 of the text starts with 0–a (≈ 69 %). The
 * Python reference (tools/bench/lrat_reference.py --verdicts hash:) applies the same rule, so both
 * can judge any text without a verdict file.
 */
export const hashJudge: Judge = {
  name: 'hash',
  judgeSync: (text) => '0123456789a'.includes(reasoningSha256(text)[0]),
  judge: async (texts) => texts.map((t) => '0123456789a'.includes(reasoningSha256(t)[0])),
};
