// Public API of @lrat/trajectory: the trajectory schema, the streaming readers (every supported format
// is detected and converted inside them) with the normalised JSONL writer, and the search tool with its trajectory recorder.
export { TrajectorySchema, trajectoryJsonSchema } from './schema';
export type { SearchResult, SearchStep, BrowseStep, ReasoningStep, AnswerStep, OtherStep, Step, AgentInfo, Trajectory } from './schema';
export { TrajectoryInputError } from './errors';
export type { SourceRef, InputErrorKind } from './errors';
export { TRAJECTORY_FORMATS, listTrajectoryFiles, readsAsLines, parseTrajectoryText, parseTrajectoryFileBytes, jsonlLines, jsonlLineItem, parseTrajectoryLine, readTrajectories } from './read';
export type { TrajectoryFormat, ReadOptions, ReadItem, JsonlLine } from './read';
export { lratToTrajectory } from './adapters/lrat';
export { createSearchTool, inMemoryDocumentStore } from './search-tool';
export type { DocumentStore, SearchTool, SearchToolOptions, ToolSearcher, ToolSearchHit, ToolDocument } from './search-tool';
export { TrajectoryRecorder } from './recorder';
export type { RecorderOptions, CallNote } from './recorder';
export { writeTrajectoriesJsonl } from './write';
