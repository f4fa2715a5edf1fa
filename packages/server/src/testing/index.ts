// Test doubles of @lrat/server, published as `@lrat/server/testing`: a term-overlap backend over an
// in-memory corpus, so the service, HTTP and MCP layers run without an index on disk.
export { TermBackend } from './term-backend';
