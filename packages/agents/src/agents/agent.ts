import type { Trajectory, SearchTool } from '@lrat/trajectory';
import type { Question } from '../dataset';

export interface AgentRunOptions {
  seed: number | string;
  /** Aborts the run (per-question timeouts, Ctrl-C). */
  signal?: AbortSignal;
}

/**
 * An agent answers one question through the search tool and returns what it did as a normalised
 * trajectory (search/browse/reasoning/answer steps, `finalAnswer` set when it answered).
 * Implementations: simulated (offline), openai (any OpenAI-compatible endpoint), replay.
 */
export interface Agent {
  /** Stable name used in reports, e.g. "simulated:careful" or "openai:gpt-4o-mini". */
  readonly name: string;
  /** Whether trajectories come from a model of an agent rather than a real LLM (reports say so). */
  readonly simulated: boolean;
  run(question: Question, tool: SearchTool, options: AgentRunOptions): Promise<Trajectory>;
}
