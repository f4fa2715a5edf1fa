// Public API of @lrat/harness.
export * from './report/types';
export { PAPER_AGENT_BEHAVIOUR, renderConsoleTable, writeReport, defaultReportDir, makeRunId } from './report';

export { loadBeirDataset, splitQuestions } from './dataset';
export type { BeirDataset, Question, LoadBeirOptions, SplitOptions } from './dataset';

export { openFileDocumentStore } from './file-document-store';
export type { FileDocumentStore } from './file-document-store';

export { contentWords, extractEntities } from './text';

export type { Agent, AgentRunOptions } from './agents/agent';

export { exactMatch, exactMatchJudge, tokenF1Judge } from './judge/answer-match';
export type { AnswerJudge, AnswerVerdict } from './judge/answer-match';

export { trajectoryCounts, summarize, perQuestionCsv, pairedBootstrap, pairByQuestion } from './metrics';
export type { TrajectoryCounts, QuestionResult, MetricSummary, BootstrapOptions, PairedDifference } from './metrics';
export { evaluateRetrieval } from './retrieval-eval';
export type { RetrievalEvaluation } from './retrieval-eval';

export { runAgent } from './run-agent';
export type { RunAgentOptions, AgentRun } from './run-agent';


export { createSimulatedAgent, SIMULATED_PROFILES } from './agents/simulated';
export type { SimulatedProfile, SimulatedAgentOptions } from './agents/simulated';
export { createReaderAgent } from './agents/reader';
export type { ReaderProfile, ReaderAgentOptions } from './agents/reader';
export { calibrationStats } from './calibration';
export type { CalibrationStats, CalibrationInput, BehaviourGroup } from './calibration';

export { createOpenAIAgent } from './agents/openai';
export type { OpenAIAgentOptions } from './agents/openai';

export { createLlmAnswerJudge } from './judge/llm-answer-judge';
export type { LlmAnswerJudge, LlmAnswerJudgeOptions } from './judge/llm-answer-judge';
export { createReplayAgent } from './agents/replay';
export type { ReplayAgentOptions } from './agents/replay';
export { simulateClicks, clickTrajectories, mineClickLogs } from './agents/click-model';
export type { ClickModelOptions, ClickLog, ClickSample, ClickMiningResult } from './agents/click-model';
export { meanSd, stratifiedPairedBootstrap, bootstrapMeanCi, holmAdjust } from './stats';
export type { StratifiedDifference } from './stats';
