import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Metrics } from './metrics';
import type { CallContext, SearchService } from './search-service';
import { BROWSECOMP_PLUS_GET_DOCUMENT_DESCRIPTION, browseCompPlusSearchDescription } from './tool-presets';

export const SERVER_NAME = 'lrat-search-server';

/**
 * One MCP server per connection (the SDK binds a server to one transport). Tools match
 * BrowseComp-Plus's searcher: `search(query)` → `[{docid, score, snippet}]` and
 * `get_document(docid)` → `{docid, text}`, returned as FastMCP does: the JSON text in one text
 * content block, and structuredContent `{result: …}`. Each tool also takes an optional `reasoning`
 * string — the agent's thinking since its previous call — which is recorded in the trajectory before
 * the call (it is what LRAT weighs browses by); agents that do not send it work unchanged.
 * `service.mcpTools` can drop get_document and the `reasoning` argument and use BrowseComp-Plus's
 * descriptions (the browsecomp-plus preset).
 */
export function createMcpServer(service: SearchService, session: () => Omit<CallContext, 'reasoning'>, metrics?: Metrics): McpServer {
  const server = new McpServer({ name: SERVER_NAME, version: '0.1.0' });
  const reasoningArg = z
    .string()
    .optional()
    .describe('Optional: your reasoning since your previous tool call (what you concluded from it). Recorded to improve the retriever.');
  const hit = z.object({ docid: z.string(), score: z.number(), snippet: z.string() });
  const tools = service.mcpTools;
  const bcp = tools.descriptions === 'browsecomp-plus';
  const withReasoning = <T extends z.ZodRawShape>(shape: T) => (tools.reasoningArgument ? { ...shape, reasoning: reasoningArg } : shape);
  const tokens =
    service.snippeter.maxTokens < 0
      ? 'the whole document'
      : `its first ${service.snippeter.maxTokens} ${service.snippeter.tokenizer === 'qwen3' ? 'Qwen3 tokens' : 'whitespace-separated words'}`;

  server.registerTool(
    'search',
    {
      description: bcp
        ? browseCompPlusSearchDescription(service.k)
        : `Perform a search on a knowledge source. Returns top-${service.k} hits with docid, score, and snippet. ` +
          `The snippet contains the document's contents, truncated to ${tokens}.` +
          (tools.getDocument ? ' Use get_document with a docid to read the full document.' : ''),
      inputSchema: withReasoning({ query: z.string().describe('Search query string') }),
      outputSchema: { result: z.array(hit) },
    },
    async ({ query, reasoning }: { query: string; reasoning?: string }): Promise<CallToolResult> =>
      tool(metrics, 'search', async () => {
        const { results } = await service.search(query, undefined, { ...session(), reasoning });
        return { content: [{ type: 'text', text: JSON.stringify(results) }], structuredContent: { result: results } };
      }),
  );

  if (!tools.getDocument) return server;
  server.registerTool(
    'get_document',
    {
      description: BROWSECOMP_PLUS_GET_DOCUMENT_DESCRIPTION,
      inputSchema: withReasoning({ docid: z.string().describe('Document ID to retrieve') }),
      outputSchema: { result: z.object({ docid: z.string(), text: z.string() }) },
    },
    async ({ docid, reasoning }: { docid: string; reasoning?: string }): Promise<CallToolResult> =>
      tool(metrics, 'get_document', async () => {
        const doc = await service.getDocument(docid, { ...session(), reasoning });
        return { content: [{ type: 'text', text: JSON.stringify(doc) }], structuredContent: { result: doc } };
      }),
  );
  return server;
}

/** Runs a tool; a client mistake or a missing document becomes a tool error, never a crash. */
async function tool(metrics: Metrics | undefined, name: string, fn: () => Promise<CallToolResult>): Promise<CallToolResult> {
  const t0 = process.hrtime.bigint();
  try {
    const out = await fn();
    metrics?.toolCall(name, 'ok', t0);
    return out;
  } catch (err) {
    const status = (err as { statusCode?: number }).statusCode;
    metrics?.toolCall(name, status && status < 500 ? 'client_error' : 'error', t0);
    const message = status && status < 500 ? (err as Error).message : `internal error: ${(err as Error).message}`;
    return { isError: true, content: [{ type: 'text', text: message }] };
  }
}
