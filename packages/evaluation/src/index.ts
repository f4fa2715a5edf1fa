// Public API of @lrat/evaluation: running an agent over questions and judging its answers, the
// per-question metrics and their statistics, retrieval evaluation, and the agent-behaviour
// calibration statistics.
export { runAgent } from './run-agent';
export type { RunAgentOptions, AgentRun } from './run-agent';

export { exactMatch, exactMatchJudge, tokenF1Judge } from './judge/answer-match';
export type { AnswerJudge, AnswerVerdict } from './judge/answer-match';
export { createLlmAnswerJudge } from './judge/llm-answer-judge';
export type { LlmAnswerJudge, LlmAnswerJudgeOptions } from './judge/llm-answer-judge';

export { trajectoryCounts, summarize, perQuestionCsv, pairedBootstrap, pairByQuestion } from './metrics';
export type { TrajectoryCounts, QuestionResult, MetricSummary, BootstrapOptions, PairedDifference } from './metrics';
export { meanSd, stratifiedPairedBootstrap, bootstrapMeanCi, holmAdjust } from './stats';
export type { StratifiedDifference } from './stats';
export { evaluateRetrieval } from './retrieval-eval';
export type { RetrievalEvaluation } from './retrieval-eval';

export { calibrationStats } from './calibration';
export type { CalibrationStats, CalibrationInput, BehaviourGroup } from './calibration';
