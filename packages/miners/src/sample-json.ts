import { pyJsonFloat, type LratSample } from '@lrat/core';

// Output lines exactly as the official builder writes them: json.dumps(sample, ensure_ascii=False),
// keys in its order, ", " and ": " separators, Python float repr for reweight_rate.

/** The sample's JSON up to (not including) `, "reweight_rate": …}` — weights come after a full pass. */
export function sampleJsonPrefix(s: LratSample): string {
  const q = s.queryJson ?? JSON.stringify(s.query);
  return (
    `{"query": ${q}, "pos": ${list(s.pos)}, "neg": ${list(s.neg)}, "pos_id": ${list(s.pos_id)}, "neg_id": ${list(s.neg_id)}, ` +
    `"reasoning_len": ${s.reasoning_len === null ? 'null' : String(s.reasoning_len)}, "satisfied": ${s.satisfied ? 'true' : 'false'}`
  );
}

export function completeSampleJson(prefix: string, weight: number): string {
  return `${prefix}, "reweight_rate": ${pyJsonFloat(weight)}}`;
}

export function sampleJson(s: LratSample): string {
  return completeSampleJson(sampleJsonPrefix(s), s.reweight_rate ?? 1.0);
}

function list(xs: readonly string[]): string {
  if (xs.length === 0) return '[]';
  let out = '[' + JSON.stringify(xs[0]);
  for (let i = 1; i < xs.length; i++) out += ', ' + JSON.stringify(xs[i]);
  return out + ']';
}
