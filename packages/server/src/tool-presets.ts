import type { Snippeter } from '@lrat/core';

// What the MCP tools look like: ours (search + get_document, each with an optional `reasoning`
// argument that is recorded) or BrowseComp-Plus's searcher (texttron/BrowseComp-Plus
// searcher/mcp_server.py + tools.py), so an agent built for theirs runs against ours unmodified.

export interface McpToolOptions {
  /** Offer get_document (theirs: only with --get-document). */
  getDocument: boolean;
  /**
   * Add our optional `reasoning` argument to the tool schemas. Off under the BrowseComp-Plus preset,
   * whose schemas have only query / docid; reasoning is then recorded through
   * POST /v1/sessions/<MCP session id>/events.
   */
  reasoningArgument: boolean;
  descriptions: 'lrat' | 'browsecomp-plus';
}

export const DEFAULT_MCP_TOOLS: McpToolOptions = { getDocument: true, reasoningArgument: true, descriptions: 'lrat' };

/** `lrat serve --preset browsecomp-plus`: their searcher's defaults. */
export const BROWSECOMP_PLUS_PRESET = {
  transport: 'sse',
  k: 5,
  snippetTokens: 512,
  snippetTokenizer: 'qwen3',
  mcpTools: { getDocument: false, reasoningArgument: false, descriptions: 'browsecomp-plus' } as McpToolOptions,
} as const;

/** Their searcher's `search_description(k)`, verbatim. */
export function browseCompPlusSearchDescription(k: number): string {
  return `Perform a search on a knowledge source. Returns top-${k} hits with docid, score, and snippet. The snippet contains the document's contents (may be truncated based on token limits).`;
}

/** Their searcher's `get_document_description()`, verbatim. */
export const BROWSECOMP_PLUS_GET_DOCUMENT_DESCRIPTION = 'Retrieve a full document by its docid.';

/**
 * A passage as BrowseComp-Plus's Search-R1 server (searcher/search_r1_server.py) gives it: a title
 * read from `---\ntitle: …` front matter or else the first line (quotes stripped), the rest as text,
 * and the text cut to the snippet length.
 */
export function searchR1Document(passage: string, snippeter: Snippeter): { title: string; text: string } {
  const lines = passage.split('\n');
  const stripQuotes = (s: string) => s.replace(/^"+|"+$/g, '');
  let title: string;
  let text: string;
  if (passage.startsWith('---\ntitle:')) {
    title = stripQuotes(lines[1]).slice(7);
    text = lines.slice(2).join('\n');
  } else {
    title = lines.length ? stripQuotes(lines[0]) : '';
    text = lines.length > 1 ? lines.slice(1).join('\n') : '';
  }
  return { title, text: snippeter.snippet(text) };
}
