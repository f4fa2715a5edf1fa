// Public API of @lrat/trajectory.
export * from './schema';
export * from './errors';
export * from './read';
export { BROWSE_TOOLS, isLratTrajectory, lratToTrajectory, lratReasoningText, pyTypeName } from './adapters/lrat';
export { isOpenAiLog, openAiToTrajectory, parseSearchOutput, OPENAI_BROWSE_TOOLS, OPENAI_SEARCH_TOOLS } from './adapters/openai';
export { isNormalisedTrajectory, normalisedToTrajectory } from './adapters/normalised';
export { parsePythonJson, parsePythonJsonFast, decodeUtf8Strict, PyJsonError, PY_JSON_MAX_DEPTH, PY_INT_MAX_DIGITS } from './python/json-parse';
export {
  PyInt, PyFloat, NeedsFaithfulParse, type PyValue, pyStr, pyRepr, pyStrRepr, pyFloatRepr, pyJsonDumps, pyJsonFloat, pyTruthy,
  pySplit, pySplitCount, pyStrip, isPyWhitespace, isPyDict, pyGet, pyHas,
} from './python/py-value';
export { BCP_SEARCH_TOOLS, bcpReasoningText, bcpSearchResults, browseCompPlusToTrajectory, isBrowseCompPlusRun } from './adapters/browsecomp-plus';
export { createSearchTool, inMemoryDocumentStore } from './search-tool';
export type { DocumentStore, SearchTool, SearchToolOptions, ToolSearcher, ToolSearchHit, ToolDocument } from './search-tool';
export { TrajectoryRecorder } from './recorder';
export type { RecorderOptions, CallNote } from './recorder';
