// Test doubles of @lrat/harness, published as `@lrat/harness/testing` so the main entry stays what
// experiments and users need: a BM25 searcher over an in-memory corpus, a searcher that moves gold
// documents up or down (calibration's sensitivity check), and a scripted OpenAI-compatible server.
export { InMemoryBm25Searcher } from './bm25-searcher';
export { RankShiftSearcher } from './rank-shift-searcher';
export { startScriptedServer, assistantReply, toolCallReply } from './scripted-openai-server';
export type { ScriptedServer, ScriptedReply, RecordedRequest, Script } from './scripted-openai-server';
