import { mineClickLogs, simulateClicks, type Question } from '@lrat/agents';
import type { Trajectory } from '@lrat/trajectory';
import type { LratSample } from '@lrat/miners';
import { documentText, type Doc } from '@lrat/core';

/**
 * The click-trained baseline's data: @lrat/agents's position-biased cascade click model run on the
 * agents' own result lists (relevance = qrels), its logs mined the human way (clicked = positive,
 * skipped = negative, no judge, no weight).
 */
export function clickSamples(trajectories: readonly Trajectory[], questions: readonly Question[], corpus: ReadonlyMap<string, Doc>, seed: number): LratSample[] {
  const evidence = new Map(questions.map((q) => [q.id, q.evidence] as const));
  const logs = simulateClicks(trajectories, (id) => evidence.get(id) ?? [], { seed });
  return mineClickLogs(logs, (docid) => {
    const d = corpus.get(docid);
    return d ? documentText(d) : undefined;
  }).samples;
}
