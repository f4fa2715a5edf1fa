// Public API of @lrat/agents: the questions agents answer (BEIR datasets), the Agent interface and its
// backends (text-only reader, simulated oracle profiles, OpenAI-compatible LLM, replay), and the click
// model that stands in for human search logs.
export { loadBeirDataset, splitQuestions } from './dataset';
export type { BeirDataset, Question, LoadBeirOptions, SplitOptions } from './dataset';

export { openFileDocumentStore } from './file-document-store';
export type { FileDocumentStore } from './file-document-store';

export type { Agent, AgentRunOptions } from './agents/agent';

export { createSimulatedAgent, SIMULATED_PROFILES } from './agents/simulated';
export type { SimulatedProfile, SimulatedAgentOptions } from './agents/simulated';
export { createReaderAgent } from './agents/reader';
export type { ReaderProfile, ReaderAgentOptions } from './agents/reader';
export { createOpenAIAgent } from './agents/openai';
export type { OpenAIAgentOptions } from './agents/openai';
export { createReplayAgent } from './agents/replay';
export type { ReplayAgentOptions } from './agents/replay';
export { simulateClicks, clickTrajectories, mineClickLogs } from './agents/click-model';
export type { ClickModelOptions, ClickLog, ClickSample, ClickMiningResult } from './agents/click-model';
