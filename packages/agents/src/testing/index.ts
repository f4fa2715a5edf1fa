// Test doubles of @lrat/agents, published as `@lrat/agents/testing` so the main entry stays what
// experiments and users need: a BM25 searcher over an in-memory corpus (and a BEIR folder loaded around it) and a scripted
// OpenAI-compatible server.
export { InMemoryBm25Searcher } from './bm25-searcher';
export { loadBm25Fixture, type Bm25Fixture } from './bm25-fixture';
export { startScriptedServer, assistantReply, toolCallReply } from './scripted-openai-server';
export type { ScriptedServer, ScriptedReply, RecordedRequest, Script } from './scripted-openai-server';
