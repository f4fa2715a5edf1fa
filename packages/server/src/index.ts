// Public API of @lrat/server: the search tool as an MCP + HTTP service that records trajectories.
export type { SearchBackend, SearchHit, BackendLoader, BackendSource } from './backend';
export { openIndexBackend, createIndexLoader, fromSearcher } from './index-backend';
export type { IndexBackendOptions } from './index-backend';
export { InputError, NotFoundError, ConflictError } from './errors';
export { DEFAULT_LIMITS } from './limits';
export type { Limits } from './limits';
export { SessionLog } from './session-log';
export type { SessionLogOptions, SessionStart, RecoveryReport } from './session-log';
export { SearchService } from './search-service';
export type { ServiceOptions, SearchResultItem, CallContext, ReloadResult } from './search-service';
export { createMcpServer } from './mcp';
export { createHttpServer } from './http';
export type { HttpServer, HttpServerOptions } from './http';
export { serveStdio } from './stdio';
export type { StdioSession } from './stdio';
export { Metrics } from './metrics';
export { BROWSECOMP_PLUS_PRESET, DEFAULT_MCP_TOOLS, browseCompPlusSearchDescription } from './tool-presets';
export type { McpToolOptions } from './tool-presets';
