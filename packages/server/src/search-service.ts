import { SnippetCache, type Snippeter } from '@lrat/core';
import { createSearchTool, TrajectoryRecorder, type AgentInfo, type CallNote, type SearchTool, type ToolDocument, type ToolSearchHit } from '@lrat/trajectory';
import type { BackendLoader, BackendSource, SearchBackend } from './backend';
import { ConflictError, InputError, NotFoundError } from './errors';
import { DEFAULT_LIMITS, SESSION_ID_PATTERN, type Limits } from './limits';
import type { SessionLog } from './session-log';
import { DEFAULT_MCP_TOOLS, type McpToolOptions } from './tool-presets';

export interface ServiceOptions {
  snippeter: Snippeter;
  /** Results per search when the caller does not say (and always, over MCP). Default 10. */
  k?: number;
  limits?: Partial<Limits>;
  /** Where sessions are recorded; without it nothing is recorded. */
  log?: SessionLog;
  /** How to build a backend on reload; required for hot swap. */
  loader?: BackendLoader;
  /** What the first backend was built from; the default for a reload without arguments. */
  source?: BackendSource;
  /** Close a session after this long without a call. Default 30 min. */
  idleTimeoutMs?: number;
  /** Which MCP tools are offered, with which arguments and descriptions (default: ours, both tools). */
  mcpTools?: McpToolOptions;
}

export interface SearchResultItem {
  docid: string;
  score: number;
  snippet: string;
}

/** Who is calling, for the trajectory: the session and the transport it came over. */
export interface CallContext {
  session?: string;
  transport: string;
  agent?: AgentInfo;
  /** The agent's reasoning since its previous call (recorded before this call's step). */
  reasoning?: string;
}

interface Generation {
  backend: SearchBackend;
  /** The search tool the agents use, over this backend (its snippets come from the service's cache). */
  tool: SearchTool;
  source?: BackendSource;
  inflight: number;
  retired: boolean;
}

export interface ReloadResult {
  version: string;
  previous: string;
  kind: string;
  ms: number;
}

/** One call on the tool, with the reasoning that came with it (recorded only when the call belongs to a session). */
interface CallTool {
  search(query: string, k: number, note: CallNote): Promise<ToolSearchHit[]>;
  getDocument(docid: string, note: CallNote): Promise<ToolDocument | null>;
}

/**
 * The search tool (@lrat/trajectory's, the one @lrat/agents' agents use) served to MCP and HTTP:
 * top-k with snippets, full documents, each session's calls recorded by a `TrajectoryRecorder` into
 * the session log, input limits, and atomic hot swap (each request holds the generation it started
 * with; a retired generation's backend is closed when its last request finishes).
 */
export class SearchService {
  readonly k: number;
  readonly limits: Limits;
  readonly snippeter: Snippeter;
  readonly log?: SessionLog;
  readonly idleTimeoutMs: number;
  readonly mcpTools: McpToolOptions;
  private gen: Generation;
  private readonly snippets: SnippetCache;
  private readonly loader?: BackendLoader;
  private reloading = false;
  searches = 0;
  browses = 0;
  reloads = 0;

  constructor(backend: SearchBackend, opts: ServiceOptions) {
    this.snippeter = opts.snippeter;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.k = opts.k ?? 10;
    if (!Number.isInteger(this.k) || this.k < 1 || this.k > this.limits.maxK)
      throw new Error(`k must be an integer in 1..${this.limits.maxK}, got ${this.k}`);
    this.log = opts.log;
    this.loader = opts.loader;
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 30 * 60 * 1000;
    this.mcpTools = opts.mcpTools ?? DEFAULT_MCP_TOOLS;
    this.snippets = new SnippetCache(this.snippeter);
    this.gen = this.generation(backend, opts.source);
  }

  get version(): string {
    return this.gen.backend.version;
  }

  get kind(): string {
    return this.gen.backend.kind;
  }

  get source(): BackendSource | undefined {
    return this.gen.source;
  }

  async search(query: unknown, k: unknown, ctx: CallContext): Promise<{ results: SearchResultItem[]; version: string }> {
    const q = this.checkText(query, 'query', this.limits.maxQueryChars, true);
    const kk = k === undefined || k === null ? this.k : k;
    if (typeof kk !== 'number' || !Number.isInteger(kk) || kk < 1 || kk > this.limits.maxK)
      throw new InputError(`"k" must be an integer in 1..${this.limits.maxK}`);
    const session = this.checkSession(ctx.session);
    const reasoning = this.checkOptionalText(ctx.reasoning, 'reasoning');
    const gen = this.acquire();
    try {
      const hits = await this.callTool(gen, session, ctx).search(q, kk, { reasoning });
      this.searches++;
      return { results: hits.map((h) => ({ docid: h.docid, score: h.score, snippet: h.snippet })), version: gen.backend.version };
    } finally {
      this.release(gen);
    }
  }

  /** A document's text in the current index, without recording a browse (for formatting results). */
  documentText(docid: string): string | undefined {
    return this.gen.backend.getDocument(docid);
  }

  async getDocument(docid: unknown, ctx: CallContext): Promise<{ docid: string; text: string }> {
    const id = this.checkText(docid, 'docid', this.limits.maxDocidChars, true);
    const session = this.checkSession(ctx.session);
    const reasoning = this.checkOptionalText(ctx.reasoning, 'reasoning');
    const gen = this.acquire();
    try {
      const doc = await this.callTool(gen, session, ctx).getDocument(id, { reasoning });
      if (!doc) throw new NotFoundError(`Document with docid '${id}' not found`);
      this.browses++;
      return { docid: id, text: doc.text };
    } finally {
      this.release(gen);
    }
  }

  /** Appends reasoning and/or the final answer to a session, and/or sets its question. */
  note(session: unknown, fields: { reasoning?: unknown; answer?: unknown; question?: unknown }, ctx: Omit<CallContext, 'session' | 'reasoning'>): void {
    const id = this.checkSession(session);
    if (!id) throw new InputError('"session" is required');
    const reasoning = this.checkOptionalText(fields.reasoning, 'reasoning');
    const answer = this.checkOptionalText(fields.answer, 'answer');
    const question = this.checkOptionalText(fields.question, 'question');
    if (reasoning === undefined && answer === undefined && question === undefined)
      throw new InputError('give at least one of "reasoning", "answer", "question"');
    if (!this.log) return;
    const start = { transport: ctx.transport, agent: ctx.agent };
    if (question !== undefined) this.log.update(id, { question }, start);
    const rec = this.recorder(this.gen.tool, id, start);
    if (reasoning !== undefined) rec.reason(reasoning);
    if (answer !== undefined) rec.answer(answer);
  }

  closeSession(session: string, reason: string): boolean {
    return this.log?.close(session, reason) !== undefined;
  }

  /** Closes sessions idle past the timeout; returns their ids. */
  sweepIdle(nowMs = Date.now()): string[] {
    if (!this.log) return [];
    const idle = this.log.idleSessions(this.idleTimeoutMs, nowMs);
    for (const id of idle) this.log.close(id, 'idle-timeout');
    return idle;
  }

  /**
   * Builds a backend from `source` (default: what the current one was built from, e.g. an index
   * path that now points at a new build) and swaps it in. Requests already running finish on the old
   * one; a failed load leaves the current index serving.
   */
  async reload(source?: Partial<BackendSource>): Promise<ReloadResult> {
    if (!this.loader) throw new ConflictError('this server was started without a loader: reload is not available');
    const index = source?.index ?? this.gen.source?.index;
    const corpus = source?.corpus ?? this.gen.source?.corpus;
    if (!index || !corpus) throw new InputError('reload needs "index" and "corpus" (no previous source is known)');
    if (this.reloading) throw new ConflictError('a reload is already running');
    this.reloading = true;
    const t0 = Date.now();
    try {
      let backend: SearchBackend;
      try {
        backend = await this.loader({ index, corpus });
      } catch (err) {
        // An index or corpus that cannot be served is the caller's to fix: a 4xx with the reason, not a 500.
        throw new InputError(`reload failed, still serving ${this.version}: ${(err as Error).message}`);
      }
      const old = this.gen;
      this.gen = this.generation(backend, { index, corpus });
      old.retired = true;
      if (old.inflight === 0) await closeBackend(old.backend);
      this.reloads++;
      return { version: backend.version, previous: old.backend.version, kind: backend.kind, ms: Date.now() - t0 };
    } finally {
      this.reloading = false;
    }
  }

  /**
   * Computes the snippet of every corpus document ahead of traffic (Qwen3 tokenization costs ≈0.5 ms
   * a document, the bulk of a cold search), in chunks that yield to the event loop so requests keep
   * being served meanwhile. Stops at the cache capacity. Returns how many documents were done.
   */
  async warmSnippets(opts: { chunk?: number; onProgress?: (done: number) => void; shouldStop?: () => boolean } = {}): Promise<number> {
    const docs = this.gen.backend.documents?.();
    if (!docs) return 0;
    const chunk = opts.chunk ?? 64;
    let done = 0;
    for (const [id, text] of docs) {
      if (done >= this.snippets.capacity || opts.shouldStop?.()) break;
      this.snippets.get(id, text);
      if (++done % chunk === 0) {
        opts.onProgress?.(done);
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    opts.onProgress?.(done);
    return done;
  }

  /** Closes every session and the backend. */
  async close(): Promise<void> {
    this.log?.closeAll('shutdown');
    this.gen.retired = true;
    if (this.gen.inflight === 0) await closeBackend(this.gen.backend);
  }

  private generation(backend: SearchBackend, source?: BackendSource): Generation {
    const documents = { get: (docid: string) => textDoc(docid, backend.getDocument(docid)) };
    const tool = createSearchTool({ searcher: backend, documents, k: this.k, snippets: this.snippets, indexName: backend.version });
    return { backend, tool, source, inflight: 0, retired: false };
  }

  /** The generation's tool; a call that belongs to a session goes through a recorder into the session log. */
  private callTool(gen: Generation, session: string | undefined, ctx: CallContext): CallTool {
    if (!session || !this.log) return gen.tool;
    return this.recorder(gen.tool, session, { transport: ctx.transport, agent: ctx.agent });
  }

  /** A recorder for one call: its steps, stamped with the time, go to the session log as soon as they are made. */
  private recorder(tool: SearchTool, session: string, start: { transport: string; agent?: AgentInfo }): TrajectoryRecorder {
    const log = this.log as SessionLog;
    return new TrajectoryRecorder(tool, { now: () => new Date(), onSteps: (steps) => log.record(session, steps, start) });
  }

  private acquire(): Generation {
    const g = this.gen;
    g.inflight++;
    return g;
  }

  private release(g: Generation): void {
    g.inflight--;
    if (g.retired && g.inflight === 0) void closeBackend(g.backend);
  }

  private checkText(v: unknown, field: string, max: number, nonEmpty: boolean): string {
    if (typeof v !== 'string') throw new InputError(`"${field}" must be a string`);
    if (nonEmpty && v.trim().length === 0) throw new InputError(`"${field}" must not be empty`);
    if (v.length > max) throw new InputError(`"${field}" is longer than ${max} characters`);
    return v;
  }

  private checkOptionalText(v: unknown, field: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    return this.checkText(v, field, this.limits.maxTextChars, false);
  }

  private checkSession(v: unknown): string | undefined {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string' || !new RegExp(SESSION_ID_PATTERN).test(v))
      throw new InputError(`"session" must match ${SESSION_ID_PATTERN}`);
    return v;
  }
}

/** A backend's corpus holds each document's text already joined (title + body): it is the whole document. */
function textDoc(docid: string, text: string | undefined) {
  return text === undefined ? undefined : { docid, text };
}

async function closeBackend(b: SearchBackend): Promise<void> {
  try {
    await b.close?.();
  } catch {
    // closing a retired index must never take the server down
  }
}
