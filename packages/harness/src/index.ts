// Public API of @lrat/harness.
export * from './report';

export { loadBeirDataset, readCorpus, readQueries, readQrels, splitQuestions, DatasetError } from './dataset';
export type { BeirDataset, Question, Qrels, LoadBeirOptions, SplitOptions } from './dataset';

export { createSearchTool, inMemoryDocumentStore, TrajectoryRecorder } from './search-tool';
export { openFileDocumentStore } from './file-document-store';
export type { FileDocumentStore } from './file-document-store';
export type { DocumentStore, SearchTool, SearchToolOptions, ToolSearchHit, ToolDocument } from './search-tool';

export { whitespaceTokens, whitespaceSnippetTokenizer, loadQwen3SnippetTokenizer, contentWords, extractEntities } from './text';
export type { SnippetTokenizer } from './text';

export type { Agent, AgentRunOptions } from './agents/agent';

export { normalizeAnswer, exactMatch, tokenF1, exactMatchJudge, tokenF1Judge } from './judge/answer-match';
export type { AnswerJudge, AnswerVerdict } from './judge/answer-match';

export { trajectoryCounts, summarize, perQuestionCsv, pairedBootstrap, pairByQuestion, ndcgAtK, recallAtK } from './metrics';
export type { TrajectoryCounts, QuestionResult, MetricSummary, BootstrapOptions, PairedDifference } from './metrics';
export { evaluateRetrieval } from './retrieval-eval';
export type { RetrievalEvaluation } from './retrieval-eval';

export { runAgent, mapLimit } from './run-agent';
export type { RunAgentOptions, AgentRun } from './run-agent';


export { createSimulatedAgent, resolveProfile, SIMULATED_PROFILES } from './agents/simulated';
export type { SimulatedProfile, SimulatedAgentOptions } from './agents/simulated';
export { createReaderAgent, READER_PROFILE } from './agents/reader';
export type { ReaderProfile, ReaderAgentOptions } from './agents/reader';
export { extractAnswer, answerType, choiceOptions } from './agents/reader-answer';
export type { AnswerCandidate } from './agents/reader-answer';
export { perceivedRelevance, termWeights, coverage, titleMatch } from './agents/reader-perception';
export { calibrationStats } from './calibration';
export type { CalibrationStats, CalibrationInput, BehaviourGroup } from './calibration';

export { ChatClient, ChatRequestError } from './openai-client';
export type { ChatClientOptions, ChatMessage, ChatToolCall, ChatCompletionRequest, ChatCompletionResponse } from './openai-client';
export { createOpenAIAgent, toolDefinitions, extractFinalAnswer, splitThinking, DEFAULT_SYSTEM_PROMPT, FINAL_TURN_PROMPT } from './agents/openai';
export type { OpenAIAgentOptions } from './agents/openai';

export { createLlmAnswerJudge, answerJudgePrompt, parseJudgeVerdict } from './judge/llm-answer-judge';
export type { LlmAnswerJudge, LlmAnswerJudgeOptions } from './judge/llm-answer-judge';
export { createReplayAgent } from './agents/replay';
export type { ReplayAgentOptions } from './agents/replay';
export { simulateClicks, clickTrajectories, mineClickLogs } from './agents/click-model';
export type { ClickModelOptions, ClickLog, ClickSample, ClickMiningResult } from './agents/click-model';
export { meanSd, stratifiedPairedBootstrap, bootstrapMeanCi, holmAdjust } from './stats';
export type { StratifiedDifference } from './stats';
