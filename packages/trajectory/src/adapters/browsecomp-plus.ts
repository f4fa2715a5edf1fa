import { FieldError } from '../errors';
import { isPyDict, pyGet, type PyValue } from '@lrat/core';
import type { SearchResult, Step, Trajectory } from '../schema';
import { BROWSE_TOOLS, isLratTrajectory } from './lrat';

// BrowseComp-Plus run files (texttron/BrowseComp-Plus, search_agent/*_client.py). Same envelope as
// the official LRAT format (`{query_id, result: [{type, tool_name, arguments, output}]}`), but their
// clients write:
// - search outputs as JSON: a list of {docid, score?, snippet} (openai, oss; the MCP clients get the
//   searcher's JSON text back; an MCP server that sends one content item per hit gives concatenated
//   objects), where the official format has `DocID:` lines;
// - reasoning as a list of parts: OpenAI summaries `[{text, type: "summary_text"}]`, or strings;
// - arguments as a JSON string (openai, oss, qwen, openai with MCP) or an object (anthropic, gemini,
//   search-r1);
// - the oss client's search tool as `local_knowledge_base_retrieval(user_query)`; Qwen-Agent's MCP
//   names carry a `search-server-` prefix the qwen client strips (stripped here too);
// - only `query_id`, no question text.
// They map to the normalised trajectory exactly as the official reader maps its own files: the first
// sub-query of a list query, results across sub-queries in order, the browse id after its last `:`,
// `{text}` parts joined with single spaces (as the official builder joins a list of strings).
// search-r1 (`Doc 1(Title: …) text`) and BrowseComp-Plus's own tongyi client (`[title]` blocks)
// print no doc ids in their search outputs, and only openai/oss/MCP runs with --get-document browse.

/** Search tools of BrowseComp-Plus clients (the oss client names its own). */
export const BCP_SEARCH_TOOLS: ReadonlySet<string> = new Set(['search', 'local_knowledge_base_retrieval']);
const QWEN_MCP_PREFIX = /^search-server-/;

type Dict = Map<string, PyValue> | { [k: string]: PyValue };

function toolName(v: PyValue | undefined): string | undefined {
  return typeof v === 'string' ? v.replace(QWEN_MCP_PREFIX, '') : undefined;
}

function looksLikeJson(out: PyValue | undefined): boolean {
  return Array.isArray(out) || (typeof out === 'string' && /^\s*[[{]/.test(out));
}

/**
 * Whether an object with `result` is a BrowseComp-Plus run rather than an official LRAT file: some
 * step only their clients write (object arguments, their oss search tool, a JSON search output,
 * reasoning parts that are objects). Files with neither (no search output at all) read the same
 * either way.
 */
export function isBrowseCompPlusRun(v: PyValue): boolean {
  if (!isLratTrajectory(v)) return false;
  const result = pyGet(v as Dict, 'result');
  if (!Array.isArray(result)) return false;
  for (const st of result) {
    if (!isPyDict(st)) continue;
    const type = pyGet(st, 'type');
    const out = pyGet(st, 'output');
    if (type === 'tool_call') {
      const tool = toolName(pyGet(st, 'tool_name'));
      if (isPyDict(pyGet(st, 'arguments'))) return true;
      if (tool === 'local_knowledge_base_retrieval') return true;
      if (tool !== undefined && BCP_SEARCH_TOOLS.has(tool) && looksLikeJson(out)) return true;
    } else if (type === 'reasoning' && Array.isArray(out) && out.some((p) => isPyDict(p))) {
      return true;
    }
  }
  return false;
}

/** Top-level JSON values written one after another (`{…}{…}` or one per line), or undefined. */
function concatenatedJson(text: string): unknown[] | undefined {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth < 0) return undefined;
      if (depth === 0) {
        try {
          values.push(JSON.parse(text.slice(start, i + 1)));
        } catch {
          return undefined;
        }
      }
    } else if (depth === 0 && !/\s/.test(c)) return undefined;
  }
  return depth === 0 && values.length > 0 ? values : undefined;
}

function hitsOf(v: unknown): unknown[] | undefined {
  if (Array.isArray(v)) return v;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of ['result', 'results', 'hits']) if (Array.isArray(o[k])) return o[k] as unknown[];
    if ('docid' in o) return [o];
  }
  return undefined;
}

function toResults(hits: unknown[]): SearchResult[] {
  const out: SearchResult[] = [];
  for (const h of hits) {
    if (!h || typeof h !== 'object' || Array.isArray(h)) continue;
    const o = h as Record<string, unknown>;
    const id = o.docid;
    if (typeof id !== 'string' && typeof id !== 'number') continue;
    const r: SearchResult = { docid: String(id), rank: out.length + 1 };
    if (typeof o.score === 'number' && Number.isFinite(o.score)) r.score = o.score;
    if (typeof o.snippet === 'string') r.snippet = o.snippet;
    out.push(r);
  }
  return out;
}

/**
 * Doc ids shown by a BrowseComp-Plus search output: a JSON list of hits (or `{result(s): [...]}`,
 * or hits written one after another), else `DocID:` lines, else the `"docid": …` pairs their own
 * evaluation script greps from text that does not parse. Output without ids gives no results.
 */
export function bcpSearchResults(out: PyValue | undefined): SearchResult[] {
  if (Array.isArray(out)) return toResults(out);
  if (typeof out !== 'string') return [];
  const text = out.trim();
  if (text.startsWith('[') || text.startsWith('{')) {
    let hits: unknown[] | undefined;
    try {
      hits = hitsOf(JSON.parse(text));
    } catch {
      const many = concatenatedJson(text);
      hits = many ? many.flatMap((v) => hitsOf(v) ?? []) : undefined;
    }
    if (hits) return toResults(hits);
  }
  const results: SearchResult[] = [];
  for (const line of out.split('\n')) {
    if (line.startsWith('DocID:')) results.push({ docid: line.slice(6).trim(), rank: results.length + 1 });
  }
  if (results.length) return results;
  for (const m of out.matchAll(/"docid"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(\d+))/g)) results.push({ docid: m[1] ?? m[2], rank: results.length + 1 });
  return results;
}

/** A reasoning step's text: a string, or its parts (strings or `{text}` objects) joined with single spaces. */
export function bcpReasoningText(out: PyValue | undefined): string {
  if (out === undefined || out === null) return '';
  if (typeof out === 'string') return out;
  if (Array.isArray(out)) {
    const parts: string[] = [];
    for (const p of out) {
      if (typeof p === 'string') parts.push(p);
      else if (isPyDict(p)) {
        const t = pyGet(p, 'text');
        if (typeof t === 'string') parts.push(t);
      }
    }
    return parts.join(' ');
  }
  return '';
}

function argumentsOf(st: Dict, field: string): Dict {
  const a = pyGet(st, 'arguments');
  if (a === undefined || a === null || a === '') return {};
  if (isPyDict(a)) return a;
  if (typeof a !== 'string') throw new FieldError(`${field}.arguments`, `expected a JSON object or its text, got ${Array.isArray(a) ? 'a list' : typeof a}`);
  let v: unknown;
  try {
    v = JSON.parse(a);
  } catch (e) {
    throw new FieldError(`${field}.arguments`, `not valid JSON: ${(e as Error).message}`);
  }
  if (!isPyDict(v)) throw new FieldError(`${field}.arguments`, 'does not parse to a JSON object');
  return v;
}

function scalar(v: PyValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function searchStep(st: Dict, field: string): Step {
  const args = argumentsOf(st, field);
  const q = pyGet(args, 'query') ?? pyGet(args, 'user_query');
  const step: Step & { type: 'search' } = { type: 'search', query: '', results: bcpSearchResults(pyGet(st, 'output')) };
  if (Array.isArray(q)) {
    step.query = scalar(q[0]) ?? '';
    if (q.length > 1 && q.every((x) => typeof x === 'string')) step.queries = q as string[];
  } else {
    step.query = scalar(q) ?? '';
  }
  return step;
}

function browseStep(st: Dict, field: string, tool: string): Step {
  const args = argumentsOf(st, field);
  let doc = pyGet(args, 'docid');
  if (Array.isArray(doc)) doc = doc[0];
  const s = scalar(doc);
  if (s === undefined) return { type: 'other', tool, browseWithoutDocid: true };
  return { type: 'browse', docid: s.slice(s.lastIndexOf(':') + 1), tool };
}

/** A BrowseComp-Plus run (plain JSON) to the normalised trajectory. */
export function browseCompPlusToTrajectory(root: PyValue, id: string): Trajectory {
  if (!isPyDict(root)) throw new FieldError('(root)', 'not a JSON object');
  const result = pyGet(root, 'result');
  if (!Array.isArray(result)) throw new FieldError('result', 'expected a list of steps');
  const steps: Step[] = [];
  let finalAnswer: string | undefined;
  result.forEach((st, i) => {
    const field = `result[${i}]`;
    if (!isPyDict(st)) throw new FieldError(field, 'step is not an object');
    const type = pyGet(st, 'type');
    const tool = toolName(pyGet(st, 'tool_name'));
    if (type === 'tool_call' && tool !== undefined && BCP_SEARCH_TOOLS.has(tool)) steps.push(searchStep(st, field));
    else if (type === 'tool_call' && tool !== undefined && BROWSE_TOOLS.has(tool)) steps.push(browseStep(st, field, tool));
    else if (type === 'reasoning') steps.push({ type: 'reasoning', text: bcpReasoningText(pyGet(st, 'output')) });
    else if (type === 'output_text') {
      finalAnswer = bcpReasoningText(pyGet(st, 'output'));
      steps.push({ type: 'answer', text: finalAnswer });
    } else steps.push(tool === undefined ? { type: 'other' } : { type: 'other', tool });
  });
  const traj: Trajectory = { id, question: scalar(pyGet(root, 'query')) ?? '', steps };
  const qid = scalar(pyGet(root, 'query_id'));
  if (qid !== undefined) traj.questionId = qid;
  if (finalAnswer !== undefined) traj.finalAnswer = finalAnswer;
  const meta = pyGet(root, 'metadata');
  const model = isPyDict(meta) ? scalar(pyGet(meta, 'model')) : undefined;
  if (model !== undefined) traj.agent = { model };
  return traj;
}
