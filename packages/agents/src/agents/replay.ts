import { type Trajectory, TrajectoryRecorder } from '@lrat/trajectory';
import type { Agent } from './agent';

// Replays recorded trajectories against another index: the same queries, browses, reasoning and answer
// in the same order, but every search is re-run, so the result lists (and thus evidence recall) are the
// new index's. Cheap re-scoring of a retriever without running any agent again.

export interface ReplayAgentOptions {
  trajectories: readonly Trajectory[];
  /** Replay only the trajectories of this agent (by `agent.name`), when a file holds several agents. */
  agentName?: string;
  name?: string;
}

export function createReplayAgent(options: ReplayAgentOptions): Agent {
  const byQuestion = new Map<string, Trajectory>();
  for (const t of options.trajectories) {
    if (options.agentName && t.agent?.name !== options.agentName) continue;
    const key = t.questionId ?? t.id;
    if (!byQuestion.has(key)) byQuestion.set(key, t);
  }
  const first = byQuestion.values().next().value as Trajectory | undefined;
  const source = options.agentName ?? first?.agent?.name ?? 'recorded';
  const name = options.name ?? `replay:${source}`;
  return {
    name,
    simulated: first?.agent?.simulated === true,
    async run(question, tool, runOptions) {
      const recorded = byQuestion.get(question.id);
      if (!recorded) throw new Error(`replay: no recorded trajectory for question "${question.id}"`);
      const rec = new TrajectoryRecorder(tool);
      for (const step of recorded.steps) {
        runOptions.signal?.throwIfAborted();
        if (step.type === 'search') await rec.search(step.query);
        else if (step.type === 'browse') await rec.getDocument(step.docid);
        else if (step.type === 'reasoning') rec.reason(step.text);
        else if (step.type === 'answer') rec.answer(step.text);
        else rec.steps.push(step);
      }
      const t = rec.trajectory({
        id: `${name}:${question.id}`,
        questionId: question.id,
        question: question.text,
        answer: question.answer ?? null,
        agent: { ...(recorded.agent ?? {}), name, backend: 'replay' },
        metadata: { replayOf: recorded.id, seed: runOptions.seed },
      });
      // The recorded final answer stands even if the replayed trajectory had no answer step.
      if (t.finalAnswer === null && recorded.finalAnswer) t.finalAnswer = recorded.finalAnswer;
      return t;
    },
  };
}
