// Public API of @lrat/trajectory.
export * from './schema';
export * from './errors';
export * from './read';
export { BROWSE_TOOLS, isLratTrajectory, lratToTrajectory, lratReasoningText } from './adapters/lrat';
export { isOpenAiLog, openAiToTrajectory, parseSearchOutput, OPENAI_BROWSE_TOOLS, OPENAI_SEARCH_TOOLS } from './adapters/openai';
export { isNormalisedTrajectory, normalisedToTrajectory } from './adapters/normalised';
export { BCP_SEARCH_TOOLS, bcpReasoningText, bcpSearchResults, browseCompPlusToTrajectory, isBrowseCompPlusRun } from './adapters/browsecomp-plus';
export { createSearchTool, inMemoryDocumentStore } from './search-tool';
export type { DocumentStore, SearchTool, SearchToolOptions, ToolSearcher, ToolSearchHit, ToolDocument } from './search-tool';
export { TrajectoryRecorder } from './recorder';
export type { RecorderOptions, CallNote } from './recorder';
