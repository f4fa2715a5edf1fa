import { mapLimit } from '@lrat/core';
import type { Trajectory, SearchTool } from '@lrat/trajectory';
import type { Agent, Question } from '@lrat/agents';
import { AnswerJudge, exactMatchJudge } from './judge/answer-match';
import { QuestionResult, trajectoryCounts } from './metrics';

export interface RunAgentOptions {
  agent: Agent;
  questions: readonly Question[];
  tool: SearchTool;
  seed: number | string;
  /** Judge of final answers (default: offline normalised exact match). */
  judge?: AnswerJudge;
  /** Label of the retriever behind the tool, copied into every result row. */
  retriever: string;
  split?: string;
  /** Questions in flight at once (default 1; raise it for remote LLM agents). */
  concurrency?: number;
  /** Per-question time limit in ms; a question that runs over is recorded as failed. */
  timeoutMs?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface AgentRun {
  trajectories: Trajectory[];
  results: QuestionResult[];
  /** Questions whose agent run threw (timeout, endpoint down), with the reason. */
  errors: Array<{ questionId: string; error: string }>;
}

/**
 * Lets one agent answer every question through the tool, judges the answers and computes the
 * per-question metrics. An agent failure on one question is recorded (as unsuccessful, with its
 * reason) and does not stop the run.
 */
export async function runAgent(options: RunAgentOptions): Promise<AgentRun> {
  const judge = options.judge ?? exactMatchJudge;
  const errors: AgentRun['errors'] = [];
  let done = 0;
  const pairs = await mapLimit(options.questions, options.concurrency ?? 1, async (q) => {
    let trajectory: Trajectory;
    try {
      const signal = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
      trajectory = await options.agent.run(q, options.tool, { seed: options.seed, signal });
    } catch (e) {
      const error = (e as Error).message ?? String(e);
      errors.push({ questionId: q.id, error });
      trajectory = {
        id: `${options.agent.name}:${q.id}`,
        questionId: q.id,
        question: q.text,
        answer: q.answer ?? null,
        finalAnswer: null,
        agent: { name: options.agent.name, simulated: options.agent.simulated },
        metadata: { error },
        steps: [],
      };
    }
    const counts = trajectoryCounts(trajectory, q.evidence);
    const verdict =
      q.answer !== undefined && trajectory.finalAnswer
        ? await judge.judge({ question: q.text, prediction: trajectory.finalAnswer, gold: q.answer })
        : { correct: false, exactMatch: false, f1: 0, method: judge.id };
    const result: QuestionResult = {
      questionId: q.id,
      agent: options.agent.name,
      retriever: options.retriever,
      split: options.split,
      success: verdict.correct,
      exactMatch: verdict.exactMatch,
      f1: verdict.f1,
      finalAnswer: trajectory.finalAnswer ?? null,
      goldAnswer: q.answer ?? null,
      judge: verdict.method,
      ...counts,
    };
    options.onProgress?.(++done, options.questions.length);
    return { trajectory, result };
  });
  return { trajectories: pairs.map((p) => p.trajectory), results: pairs.map((p) => p.result), errors };
}
