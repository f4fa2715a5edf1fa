import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { selectBackend, loadEncoder } from '@lrat/trainer';
import {
  BROWSECOMP_PLUS_PRESET,
  createHttpServer,
  createIndexLoader,
  DEFAULT_LIMITS,
  DEFAULT_MCP_TOOLS,
  SearchService,
  serveStdio,
  SessionLog,
  type McpToolOptions,
} from '@lrat/server';
import { createSnippeter, FULL_TEXT, type SnippetTokenizer } from '@lrat/core';

export const SERVE_PRESETS = ['none', 'browsecomp-plus'] as const;
export type ServePreset = (typeof SERVE_PRESETS)[number];

export interface ServeArgs {
  index: string;
  corpus: string;
  /** browsecomp-plus: their searcher's defaults (sse, k 5, 512 Qwen3 tokens, search only, their tool schemas). */
  preset?: ServePreset;
  /** Defaults: http (sse under the preset). */
  transport?: 'http' | 'sse' | 'stdio';
  host: string;
  port: number;
  /** Defaults: 10 (5 under the preset). */
  k?: number;
  /** Defaults: 64 (512 under the preset); -1 = the full text. */
  snippetTokens?: number;
  snippetTokenizer: SnippetTokenizer;
  /** Offer get_document over MCP. Default: yes (no under the preset, as their --get-document). */
  getDocument?: boolean;
  logDir: string;
  record: boolean;
  idleTimeout: number;
  rotateMb: number;
  fsync: boolean;
  maxK: number;
  maxQueryChars: number;
  bodyLimitKb: number;
  warmSnippets: boolean;
  allowOrigin?: string[];
  allowHost?: string[];
  /** Retention of the trajectories files (MiB in all; 0 = keep everything). */
  maxLogMb?: number;
}

export interface RunningServer {
  service: SearchService;
  /** Base URL for --transport http. */
  url?: string;
  /** Resolves when the server has stopped (stdio: the client left). */
  done: Promise<void>;
  close(): Promise<void>;
  reload(): Promise<void>;
}

const MCP_HOST_CONFIG = `{"mcpServers": {"lrat-search": {
  "command": "lrat",
  "args": ["serve", "--transport", "stdio",
           "--index", "/abs/idx", "--corpus", "/abs/corpus.jsonl",
           "--log-dir", "/abs/trajectories"]}}}`;

export interface ResolvedServeSettings {
  transport: 'http' | 'sse' | 'stdio';
  k: number;
  snippetTokens: number;
  mcpTools: McpToolOptions;
}

/** The preset's defaults under whatever was given explicitly. */
export function resolveServeSettings(args: Pick<ServeArgs, 'preset' | 'transport' | 'k' | 'snippetTokens' | 'getDocument'>): ResolvedServeSettings {
  const bcp = args.preset === 'browsecomp-plus';
  const base = bcp ? BROWSECOMP_PLUS_PRESET.mcpTools : DEFAULT_MCP_TOOLS;
  const snippetTokens = args.snippetTokens ?? (bcp ? BROWSECOMP_PLUS_PRESET.snippetTokens : 64);
  if (!Number.isInteger(snippetTokens) || (snippetTokens < 1 && snippetTokens !== FULL_TEXT)) {
    throw new Error(`--snippet-tokens must be a positive integer, or -1 for the full text (got ${snippetTokens})`);
  }
  return {
    transport: args.transport ?? (bcp ? BROWSECOMP_PLUS_PRESET.transport : 'http'),
    k: args.k ?? (bcp ? BROWSECOMP_PLUS_PRESET.k : 10),
    snippetTokens,
    mcpTools: { ...base, getDocument: args.getDocument ?? base.getDocument },
  };
}

/** Loads the index and corpus and starts serving; messages go to `say` (stderr: stdout may be the MCP channel). */
export async function startServe(args: ServeArgs, say: (line: string) => void = (l) => process.stderr.write(`lrat serve: ${l}\n`)): Promise<RunningServer> {
  const settings = resolveServeSettings(args);
  const source = { index: path.resolve(args.index), corpus: path.resolve(args.corpus) };
  let backendReady = false;
  const loader = createIndexLoader({
    // Dense and hybrid indexes name their encoder; it is loaded (on the best tfjs backend) only then.
    loadEmbedder: async (ref) => {
      if (!backendReady) {
        await selectBackend({ log: (l) => say(l) });
        backendReady = true;
      }
      return loadEncoder(ref.path);
    },
  });
  const t0 = Date.now();
  const [backend, snippeter] = await Promise.all([loader(source), createSnippeter(args.snippetTokenizer, settings.snippetTokens)]);
  let log: SessionLog | undefined;
  if (args.record) {
    const maxLogMb = args.maxLogMb ?? 0;
    if (!(maxLogMb === 0 || maxLogMb >= args.rotateMb)) throw new Error(`--max-log-mb must be 0 (keep all) or at least --rotate-mb (${args.rotateMb}), got ${maxLogMb}`);
    log = new SessionLog({ dir: args.logDir, rotateBytes: Math.round(args.rotateMb * 1024 * 1024), maxLogBytes: Math.round(maxLogMb * 1024 * 1024), fsync: args.fsync });
    const rec = log.recover();
    if (rec.recovered || rec.empty) say(`recovered ${rec.recovered} session(s) left open by an earlier run (${rec.skippedLines} torn line(s) skipped)`);
  }
  const service = new SearchService(backend, {
    snippeter,
    k: settings.k,
    mcpTools: settings.mcpTools,
    log,
    loader,
    source,
    idleTimeoutMs: args.idleTimeout * 1000,
    limits: { maxK: args.maxK, maxQueryChars: args.maxQueryChars, bodyLimitBytes: args.bodyLimitKb * 1024 },
  });
  say(
    `index ${backend.kind} ${backend.version} (${source.index}), corpus ${source.corpus}, loaded in ${Date.now() - t0} ms; ` +
      `k=${settings.k}, snippet=${settings.snippetTokens === FULL_TEXT ? 'full text' : `${settings.snippetTokens} ${args.snippetTokenizer} tokens`}; ` +
      `MCP tools: ${settings.mcpTools.getDocument ? 'search, get_document' : 'search'}${settings.mcpTools.reasoningArgument ? ' (with optional reasoning)' : ''}${args.preset && args.preset !== 'none' ? ` (preset ${args.preset})` : ''}; ` +
      (log ? `recording sessions to ${log.dir}` : 'not recording sessions (--no-record)'),
  );
  let stopped = false;
  const warm = () => {
    if (!args.warmSnippets) return;
    const t = Date.now();
    void service.warmSnippets({ shouldStop: () => stopped }).then(
      (n) => n > 0 && !stopped && say(`snippets of ${n} documents precomputed in ${Date.now() - t} ms`),
      (err) => say(`snippet warm-up stopped: ${(err as Error).message}`),
    );
  };
  const reload = async () => {
    try {
      const r = await service.reload();
      say(`reloaded ${source.index}: ${r.previous} → ${r.version} in ${r.ms} ms`);
    } catch (err) {
      // The service's message already says that the current index keeps serving, and why the new one was refused.
      say(`reload: ${(err as Error).message}`);
    }
  };

  if (settings.transport === 'stdio') {
    const session = await serveStdio(service);
    warm();
    const done = session.closed.then(() => {
      stopped = true;
      return service.close();
    });
    return { service, done, reload, close: async () => (await session.close(), await done) };
  }

  const token = process.env.LRAT_SERVER_TOKEN || undefined;
  const loopback = args.host === '127.0.0.1' || args.host === 'localhost' || args.host === '::1';
  if (!loopback && !token) say(`WARNING: listening on ${args.host} without LRAT_SERVER_TOKEN: anyone who can reach it can search and read the corpus`);
  const sse = settings.transport === 'sse';
  const http = createHttpServer(service, { token, onError: say, allowedOrigins: args.allowOrigin, allowedHosts: args.allowHost, mcpTransport: sse ? 'sse' : 'streamable-http' });
  const url = await http.listen(args.port, args.host);
  say(
    `listening on ${url} (MCP ${sse ? 'over SSE' : 'Streamable HTTP'} at ${url}/mcp; Search-R1 POST ${url}/retrieve; JSON API at ${url}/v1/…)${token ? '; bearer token required' : ''}`,
  );
  warm();
  let stop!: () => void;
  const done = new Promise<void>((r) => (stop = r));
  let closing: Promise<void> | undefined;
  return {
    service,
    url,
    done,
    reload,
    close: () => {
      stopped = true;
      return (closing ??= http.close().then(() => stop()));
    },
  };
}

export const serveCommand: CommandModule<object, ServeArgs> = {
  command: 'serve',
  describe: 'Serve an index as the search tool over MCP (stdio or Streamable HTTP) and a JSON HTTP API, recording every session as a trajectory',
  builder: (y: Argv) =>
    y
      .option('index', { type: 'string', demandOption: true, describe: 'Index directory written by `lrat index` (BM25, dense or hybrid)' })
      .option('corpus', { type: 'string', demandOption: true, describe: 'Corpus JSONL the index was built from ({docid,text} or BEIR {_id,title,text})' })
      .option('preset', {
        choices: SERVE_PRESETS,
        describe:
          "browsecomp-plus: a drop-in for BrowseComp-Plus's searcher — MCP over SSE at /mcp, k 5, 512 Qwen3-token snippets, only `search` (get_document with --get-document), their tool descriptions and schemas (no reasoning argument)",
      })
      .option('transport', {
        choices: ['http', 'sse', 'stdio'] as const,
        describe: 'http: MCP Streamable HTTP at /mcp; sse: MCP over SSE (GET /mcp, POST /messages); both with the JSON API and POST /retrieve. stdio: one MCP session on stdin/stdout. Default http (sse under --preset browsecomp-plus)',
      })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to bind (http); anything but loopback exposes the server — set LRAT_SERVER_TOKEN' })
      .option('port', { type: 'number', default: 8000, describe: 'Port (http); 0 picks a free one' })
      .option('k', { alias: 'top-k', type: 'number', describe: 'Results per search (the MCP search tool and /retrieve always return k). Default 10 (5 under the preset)' })
      .option('snippet-tokens', { type: 'number', describe: 'Snippet length: the first N tokens of each result document; -1 = the full text. Default 64 (512 under the preset)' })
      .option('get-document', { type: 'boolean', describe: 'Offer the get_document MCP tool. Default on (off under the preset, as their searcher without --get-document)' })
      .option('snippet-tokenizer', { choices: ['qwen3', 'whitespace'] as const, default: 'qwen3' as const, describe: 'qwen3 = the official search tool (Qwen3 tokenizer); whitespace = first N words' })
      .option('log-dir', { type: 'string', default: 'trajectories', describe: 'Where sessions are recorded (trajectories-*.jsonl, readable by `lrat mine`)' })
      .option('record', { type: 'boolean', default: true, describe: 'Record sessions (--no-record to turn off)' })
      .option('idle-timeout', { type: 'number', default: 1800, describe: 'Close a session after this many seconds without a call' })
      .option('rotate-mb', { type: 'number', default: 64, describe: 'Start a new trajectories file past this size (MiB)' })
      .option('max-log-mb', { type: 'number', default: 0, describe: 'Keep the trajectories files under this many MiB in all, removing the oldest closed ones (0 = keep everything)' })
      .option('fsync', { type: 'boolean', default: false, describe: 'fsync every logged event (survives power loss, not only a crash; slower)' })
      .option('warm-snippets', { type: 'boolean', default: true, describe: 'Precompute every document\'s snippet in the background after start (--no-warm-snippets to skip)' })
      .option('allow-origin', { type: 'string', array: true, describe: 'Browser origins allowed besides localhost (an Origin header from elsewhere gets 403; "*" allows all)' })
      .option('allow-host', { type: 'string', array: true, describe: 'Host names besides loopback, IP addresses and --host that requests may be addressed to when no token is set (DNS-rebinding guard)' })
      .option('max-k', { type: 'number', default: DEFAULT_LIMITS.maxK, describe: 'Largest k a JSON API client may ask for' })
      .option('max-query-chars', { type: 'number', default: DEFAULT_LIMITS.maxQueryChars, describe: 'Longest query accepted' })
      .option('body-limit-kb', { type: 'number', default: DEFAULT_LIMITS.bodyLimitBytes / 1024, describe: 'Largest HTTP request body (KiB); larger gets 413' })
      .example('$0 serve --index idx/bm25 --corpus data/multihop-wiki/corpus.jsonl --port 8000', 'MCP at http://127.0.0.1:8000/mcp, JSON API at /v1, sessions logged to ./trajectories')
      .example(
        `curl -s localhost:8000/v1/search -H 'content-type: application/json' -H 'X-LRAT-Session: s1' -d '{"query":"capital of France","k":5}'`,
        'Search over the JSON API as session s1 (add -H "Authorization: Bearer $LRAT_SERVER_TOKEN" when a token is set)',
      )
      .example(`curl -s 'localhost:8000/v1/documents/DOCID?session=s1'`, 'Read a document (a browse in session s1)')
      .example(`curl -s localhost:8000/v1/sessions/s1/events -H 'content-type: application/json' -d '{"reasoning":"…","answer":"Paris"}'`, 'Append reasoning / the final answer to session s1')
      .example('$0 mine --trajectories trajectories/ --corpus data/multihop-wiki/corpus.jsonl --out pairs.jsonl', 'Mine the recorded sessions')
      .example('$0 serve --preset browsecomp-plus --get-document --index idx/bm25 --corpus corpus.jsonl --port 8000', "BrowseComp-Plus's searcher: their clients' --mcp-url http://127.0.0.1:8000/mcp")
      .example(`curl -s localhost:8000/retrieve -H 'content-type: application/json' -d '{"query":"capital of France"}'`, "Search-R1's retrieval endpoint ({result: [{docid, document: {title, text}}]})")
      .epilogue(
        `MCP host config (Claude Desktop / Cursor style), stdio:\n${MCP_HOST_CONFIG}\n\n` +
          'Tools: search(query, reasoning?) → [{docid, score, snippet}], get_document(docid, reasoning?) → {docid, text} ' +
          '(BrowseComp-Plus names and shapes; `reasoning` is optional and recorded). Over HTTP use {"url": "http://127.0.0.1:8000/mcp"}.\n' +
          'Under --preset browsecomp-plus the tools take only query / docid, as theirs; an agent (or its harness) records its reasoning with ' +
          'POST /v1/sessions/<MCP session id>/events {"reasoning": "…"} — over SSE the session id is the sessionId of the /messages URL the server announces. ' +
          'Without reasoning the log still mines (browses with empty reasoning).\n' +
          'Token: set LRAT_SERVER_TOKEN to require "Authorization: Bearer <token>" on every route but /healthz (and to enable POST /v1/admin/reload).\n' +
          'SIGHUP reloads --index (e.g. a symlink moved to a new build) without dropping requests.',
      ) as unknown as Argv<ServeArgs>,
  handler: async (argv) => {
    const server = await startServe(argv);
    const stop = (sig: string) => {
      process.stderr.write(`lrat serve: ${sig}: closing sessions and stopping\n`);
      void server.close().then(() => process.exit(0));
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGHUP', () => void server.reload());
    await server.done;
  },
};
