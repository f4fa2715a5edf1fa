// Public API of @lrat/trajectory: the trajectory schema, the streaming readers (every supported format
// is detected and converted inside them), and the Python-faithful JSON helpers the miners need.
export { TrajectorySchema, trajectoryJsonSchema } from './schema';
export type { SearchResult, SearchStep, BrowseStep, ReasoningStep, AnswerStep, OtherStep, Step, AgentInfo, Trajectory } from './schema';
export { TrajectoryInputError } from './errors';
export type { SourceRef, InputErrorKind } from './errors';
export { TRAJECTORY_FORMATS, listTrajectoryFiles, readsAsLines, parseTrajectoryText, parseTrajectoryFileBytes, jsonlLines, jsonlLineItem, parseTrajectoryLine, readTrajectories } from './read';
export type { TrajectoryFormat, ReadOptions, ReadItem, JsonlLine } from './read';
export { lratToTrajectory, pyTypeName } from './adapters/lrat';
export { parsePythonJson, parsePythonJsonFast, decodeUtf8Strict, PyJsonError } from './python/json-parse';
export { NeedsFaithfulParse, type PyValue, pyStr, pyJsonFloat, pySplitCount, pyStrip, isPyDict, pyGet, pyHas } from './python/py-value';
