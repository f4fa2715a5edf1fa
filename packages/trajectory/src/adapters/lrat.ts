import { FieldError } from '../errors';
import { isPyDict, NeedsFaithfulParse, parsePythonJson, PyFloat, PyInt, pyGet, pyHas, PyJsonError, pyJsonDumps, pyStr, pyStrip, pyTruthy, pyTypeName, type PyValue } from '@lrat/core';
import type { Step, Trajectory } from '../schema';

// The official / Tongyi / BrowseComp-Plus trajectory format: `{result: [{type, tool_name, arguments,
// output}]}`. Conversion raises a FieldError exactly where the official builder would raise while
// mining (docs/lrat-algorithm.md §7), so dropping the trajectory on error reproduces its
// all-or-nothing behaviour; values are stringified with Python's str().

export const BROWSE_TOOLS: ReadonlySet<string> = new Set(['get_document', 'visit']);

/**
 * Maps a string from the parsed document to its real text. Identity normally; when the document was
 * parsed from its bytes read as Latin-1 (the fast path of parseTrajectoryFileBytes), it re-decodes
 * the UTF-8 of the strings actually used, which costs far less than decoding the whole file.
 */
export type Fix = (s: string) => string;
const identity: Fix = (s) => s;

/** True when the value looks like an official trajectory (an object with a `result` key). */
export function isLratTrajectory(v: PyValue): boolean {
  return isPyDict(v) && pyHas(v, 'result');
}

/** `json.loads(step.get("arguments", "{}") or "{}")`, which must give a dict for `.get` to work. */
function parseArguments(step: Map<string, PyValue> | { [k: string]: PyValue }, field: string, fix: Fix): Map<string, PyValue> {
  const a = pyGet(step, 'arguments');
  let text = '{}';
  if (pyTruthy(a)) {
    if (typeof a !== 'string') throw new FieldError(`${field}.arguments`, `the JSON object must be str, bytes or bytearray, not ${pyTypeName(a)}`);
    text = fix(a);
  }
  let args: PyValue;
  try {
    args = text.length < 1900 ? (fastArguments(text) ?? parsePythonJson(text)) : parsePythonJson(text);
  } catch (e) {
    if (e instanceof PyJsonError) throw new FieldError(`${field}.arguments`, `not valid JSON: ${e.message}`);
    throw e;
  }
  if (!(args instanceof Map)) throw new FieldError(`${field}.arguments`, `parses to ${pyTypeName(args)}, not an object ('${pyTypeName(args)}' object has no attribute 'get')`);
  return args;
}

/**
 * The native parser for the usual short arguments: used only when the values the builder reads
 * (query, docid) are strings or lists starting with one, so nothing needs Python's number or dict
 * semantics; anything else (and every error) goes through parsePythonJson. Long texts always do, so
 * CPython's nesting limit still applies.
 */
function fastArguments(text: string): Map<string, PyValue> | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const m = new Map<string, PyValue>();
  for (const k of Object.keys(o)) {
    const x = o[k];
    if (k === 'query' || k === 'docid') {
      const ok = typeof x === 'string' || (Array.isArray(x) && x.length > 0 && x.every((e) => typeof e === 'string'));
      if (!ok) return undefined;
    }
    m.set(k, x as PyValue);
  }
  return m;
}

/** Text of a reasoning step's `output` as the builder takes it: list items str()-joined by spaces. */
export function lratReasoningText(out: PyValue | undefined): string {
  if (out === undefined) return '';
  if (typeof out === 'string') return out;
  if (Array.isArray(out)) return out.map(pyStr).join(' ');
  return pyStr(out);
}

function toMetaString(v: PyValue | undefined, fix: Fix = identity): string | undefined {
  if (typeof v === 'string') return fix(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof PyInt) return v.digits;
  if (v instanceof PyFloat) return String(v.value);
  return undefined;
}

/**
 * Convert an official trajectory (already known to be a dict with `result`) to the normalised form.
 * Throws FieldError for anything the official builder would fail on, and NeedsFaithfulParse when a
 * value from the fast JSON path must be stringified (the caller re-parses with parsePythonJson).
 */
export function lratToTrajectory(root: PyValue, id: string, fix: Fix = identity): Trajectory {
  if (!isPyDict(root)) throw new FieldError('(root)', `not a JSON object (got ${pyTypeName(root)})`);
  const result = pyGet(root, 'result');
  const steps: Step[] = [];
  let answer: string | undefined;
  if (!Array.isArray(result)) {
    // The builder only iterates `range(len(result))`: an empty string or object yields no steps.
    const emptyOk = result === '' || (isPyDict(result) && !pyTruthy(result));
    if (!emptyOk) throw new FieldError('result', `expected a list of steps, got ${pyTypeName(result)}`);
  } else {
    for (let i = 0; i < result.length; i++) {
      const st = result[i];
      const field = `result[${i}]`;
      if (!isPyDict(st)) throw new FieldError(field, `step is not an object (got ${pyTypeName(st)})`);
      const type = pyGet(st, 'type');
      const tool = pyGet(st, 'tool_name');
      if (type === 'tool_call' && tool === 'search') {
        steps.push(searchStep(st, field, fix));
      } else if (type === 'tool_call') {
        if (Array.isArray(tool) || isPyDict(tool)) throw new FieldError(`${field}.tool_name`, `unhashable type: '${pyTypeName(tool)}'`);
        if (typeof tool === 'string' && BROWSE_TOOLS.has(tool)) steps.push(browseStep(st, field, tool, fix));
        else steps.push({ type: 'other', tool: toMetaString(tool, fix) });
      } else if (type === 'reasoning') {
        steps.push({ type: 'reasoning', text: reasoningText(pyGet(st, 'output'), fix) });
      } else if (type === 'output_text') {
        const out = pyGet(st, 'output');
        answer = reasoningText(out, fix);
        steps.push({ type: 'answer', text: answer });
      } else {
        steps.push({ type: 'other', tool: toMetaString(tool, fix) });
      }
    }
  }
  const traj: Trajectory = { id, question: toMetaString(pyGet(root, 'query'), fix) ?? '', steps };
  const qid = toMetaString(pyGet(root, 'query_id'), fix);
  if (qid !== undefined) traj.questionId = qid;
  const gold = toMetaString(pyGet(root, 'answer'), fix);
  if (gold !== undefined) traj.answer = gold;
  if (answer !== undefined) traj.finalAnswer = answer;
  return traj;
}

function reasoningText(out: PyValue | undefined, fix: Fix): string {
  if (typeof out === 'string') return fix(out);
  // Nested strings would need fixing too: let the faithful path handle the rare non-string output.
  if (fix !== identity && out !== undefined) throw new NeedsFaithfulParse();
  return lratReasoningText(out);
}

function searchStep(st: Map<string, PyValue> | { [k: string]: PyValue }, field: string, fix: Fix): Step {
  const args = parseArguments(st, field, fix);
  const q = args.has('query') ? (args.get('query') as PyValue) : [''];
  let query: string;
  let queryJson: string | undefined;
  let queries: string[] | undefined;
  if (Array.isArray(q) && q.length > 0) {
    const first = q[0];
    if (typeof first === 'string') query = first;
    else if (!pyTruthy(first)) query = ''; // a falsy query becomes "" when a browse run starts
    else {
      query = pyStr(first);
      queryJson = pyJsonDumps(first);
    }
    if (q.length > 1 && q.every((x) => typeof x === 'string')) queries = q as string[];
  } else {
    query = pyStr(q);
  }
  const out = pyGet(st, 'output');
  const results: { docid: string }[] = [];
  if (pyTruthy(out)) {
    if (typeof out !== 'string') throw new FieldError(`${field}.output`, `search output must be a string ('${pyTypeName(out)}' object has no attribute 'split')`);
    let from = 0;
    for (;;) {
      const nl = out.indexOf('\n', from);
      const end = nl < 0 ? out.length : nl;
      if (out.startsWith('DocID:', from)) results.push({ docid: pyStrip(fix(out.slice(from + 6, end))) });
      if (nl < 0) break;
      from = nl + 1;
    }
  }
  const step: Step = { type: 'search', query, results };
  if (queryJson !== undefined) step.queryJson = queryJson;
  if (queries) step.queries = queries;
  return step;
}

function browseStep(st: Map<string, PyValue> | { [k: string]: PyValue }, field: string, tool: string, fix: Fix): Step {
  const args = parseArguments(st, field, fix);
  let doc = args.has('docid') ? (args.get('docid') as PyValue) : null;
  if (Array.isArray(doc)) doc = doc.length > 0 ? doc[0] : null;
  if (doc === null) return { type: 'other', tool, browseWithoutDocid: true };
  const s = pyStr(doc);
  return { type: 'browse', docid: s.slice(s.lastIndexOf(':') + 1), tool };
}
