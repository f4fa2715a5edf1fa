import { z } from 'zod';

// The normalised trajectory: what every adapter produces and every consumer (miners, agents and evaluation, server)
// reads. One trajectory = one agent working on one question, its steps in order.

export const SearchResultSchema = z.object({
  docid: z.string(),
  rank: z.number().int().positive().optional(),
  score: z.number().optional(),
  snippet: z.string().optional(),
});

export const SearchStepSchema = z.object({
  type: z.literal('search'),
  /** The query that defines the training sample (first of several sub-queries, as the official builder). */
  query: z.string(),
  /** Every sub-query of the call, when the tool took several. */
  queries: z.array(z.string()).optional(),
  /**
   * The first sub-query as `json.dumps` text, only when the source held a non-string value there
   * (the official builder then uses that value itself as the sample's query; `query` is its str()).
   */
  queryJson: z.string().optional(),
  /** Ranked doc ids shown to the agent, across all sub-queries, in order. */
  results: z.array(SearchResultSchema),
  /** Which index (version) served the search, when known. */
  index: z.string().optional(),
  timestamp: z.string().optional(),
});

export const BrowseStepSchema = z.object({
  type: z.literal('browse'),
  docid: z.string(),
  tool: z.string().optional(),
  timestamp: z.string().optional(),
});

export const ReasoningStepSchema = z.object({
  type: z.literal('reasoning'),
  text: z.string(),
  timestamp: z.string().optional(),
});

export const AnswerStepSchema = z.object({
  type: z.literal('answer'),
  text: z.string(),
  timestamp: z.string().optional(),
});

/** Any other tool call; kept so step adjacency (which reasoning follows a browse) stays exact. */
export const OtherStepSchema = z.object({
  type: z.literal('other'),
  tool: z.string().optional(),
  text: z.string().optional(),
  /**
   * A browse call that named no doc id. It yields no sample but, as in the official builder, it
   * still continues a run of browses (and so is not a plain "other" step for run boundaries).
   */
  browseWithoutDocid: z.boolean().optional(),
  timestamp: z.string().optional(),
});

export const StepSchema = z.discriminatedUnion('type', [
  SearchStepSchema,
  BrowseStepSchema,
  ReasoningStepSchema,
  AnswerStepSchema,
  OtherStepSchema,
]);

export const AgentInfoSchema = z
  .object({
    name: z.string().optional(),
    model: z.string().optional(),
    backend: z.string().optional(),
    profile: z.string().optional(),
    simulated: z.boolean().optional(),
  })
  .catchall(z.unknown());

export const TrajectorySchema = z.object({
  /** Trajectory id (unique within a collection). */
  id: z.string(),
  /** Question id, when the trajectory answers a known question. */
  questionId: z.string().optional(),
  question: z.string(),
  /** Gold answer, when known. */
  answer: z.string().nullable().optional(),
  /** The agent's final answer, when it gave one. */
  finalAnswer: z.string().nullable().optional(),
  agent: AgentInfoSchema.optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  steps: z.array(StepSchema),
});

export type SearchResult = z.infer<typeof SearchResultSchema>;
export type SearchStep = z.infer<typeof SearchStepSchema>;
export type BrowseStep = z.infer<typeof BrowseStepSchema>;
export type ReasoningStep = z.infer<typeof ReasoningStepSchema>;
export type AnswerStep = z.infer<typeof AnswerStepSchema>;
export type OtherStep = z.infer<typeof OtherStepSchema>;
export type Step = z.infer<typeof StepSchema>;
export type AgentInfo = z.infer<typeof AgentInfoSchema>;
export type Trajectory = z.infer<typeof TrajectorySchema>;

/** JSON Schema of the normalised trajectory, for tools outside TypeScript. */
export function trajectoryJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(TrajectorySchema) as Record<string, unknown>;
}
