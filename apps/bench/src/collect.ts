import { type Agent, type Question } from '@lrat/agents';
import { runAgent, type AgentRun, type AnswerJudge, type QuestionResult } from '@lrat/evaluation';
import { createSearchTool } from '@lrat/trajectory';
import type { Split } from '@lrat/report';
import type { JobData } from './data';
import type { BenchOptions } from './options';
import { createProgress, type BasicSearcher as Searcher } from '@lrat/core';
import { coalescingSearcher } from './coalescing-searcher';

// Letting every agent work through one retriever: the trajectories feed the miner (train split) or
// the before/after comparison (test split).

export interface Collected {
  agent: Agent;
  retriever: string;
  split: Split;
  run: AgentRun;
}

export interface Retriever {
  name: string;
  searcher: Searcher;
}

export async function collect(
  agents: readonly Agent[],
  questions: readonly Question[],
  retriever: Retriever,
  split: Split,
  data: JobData,
  options: BenchOptions,
  label = '',
  sink?: QuestionResult[],
  answerJudge?: AnswerJudge,
): Promise<Collected[]> {
  // The questions in flight (--concurrency) search together: one batch per event-loop turn, each
  // answer the one a lone search gives (coalescing-searcher.spec.ts).
  const tool = createSearchTool({ searcher: coalescingSearcher(retriever.searcher), documents: data.documents, indexName: retriever.name });
  const out: Collected[] = [];
  for (const agent of agents) {
    const bar = createProgress({ label: `${label}${agent.name} · ${retriever.name} · ${split}`, total: questions.length });
    const run = await runAgent({
      agent,
      questions,
      tool,
      seed: options.seed,
      // One judge for every agent (--answer-judge): simulated and real answers are scored alike.
      judge: answerJudge,
      retriever: retriever.name,
      split,
      concurrency: options.concurrency,
      timeoutMs: options.timeoutSeconds * 1000,
      onProgress: (done) => bar.update(done),
    });
    bar.stop();
    sink?.push(...run.results);
    out.push({ agent, retriever: retriever.name, split, run });
  }
  return out;
}
