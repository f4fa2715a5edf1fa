import { FieldError } from '../errors';
import type { SearchResult, Step, Trajectory } from '../schema';

// OpenAI Chat Completions message logs: assistant `tool_calls` (search / get_document / visit), `tool`
// messages carrying results, assistant text between calls as reasoning. Each assistant message
// becomes [reasoning?] + one step per tool call, so the text an agent writes after reading a document
// is the reasoning step right after that browse — the adjacency the miner relies on.

export const OPENAI_SEARCH_TOOLS: ReadonlySet<string> = new Set(['search', 'web_search', 'search_documents']);
export const OPENAI_BROWSE_TOOLS: ReadonlySet<string> = new Set(['get_document', 'visit', 'open_document', 'fetch_document']);

type Json = unknown;
interface Message {
  role?: string;
  content?: Json;
  reasoning_content?: Json;
  tool_calls?: Json;
  tool_call_id?: Json;
}

export function isOpenAiLog(v: Json): boolean {
  const msgs = Array.isArray(v) ? v : v && typeof v === 'object' ? (v as { messages?: Json }).messages : undefined;
  return Array.isArray(msgs) && msgs.length > 0 && msgs.every((m) => m && typeof m === 'object' && typeof (m as Message).role === 'string');
}

function contentText(c: Json): string {
  if (typeof c === 'string') return c;
  if (Array.isArray(c)) {
    return c
      .map((p) => (p && typeof p === 'object' && typeof (p as { text?: Json }).text === 'string' ? (p as { text: string }).text : ''))
      .filter((t) => t.length > 0)
      .join('\n');
  }
  return '';
}

/** Result doc ids from a search tool message: JSON (array or {results}) of {docid,score?,snippet?}, or `DocID:` lines. */
export function parseSearchOutput(text: string): SearchResult[] {
  const t = text.trim();
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      const v = JSON.parse(t) as Json;
      const arr = Array.isArray(v) ? v : (v as { results?: Json }).results;
      if (Array.isArray(arr)) {
        const out: SearchResult[] = [];
        for (const r of arr) {
          if (!r || typeof r !== 'object') continue;
          const o = r as Record<string, Json>;
          const id = o.docid ?? o.doc_id ?? o.id ?? o._id;
          if (typeof id !== 'string' && typeof id !== 'number') continue;
          const res: SearchResult = { docid: String(id), rank: out.length + 1 };
          if (typeof o.score === 'number') res.score = o.score;
          if (typeof o.snippet === 'string') res.snippet = o.snippet;
          else if (typeof o.text === 'string') res.snippet = o.text;
          out.push(res);
        }
        return out;
      }
    } catch {
      // not JSON: fall through to the text form
    }
  }
  const out: SearchResult[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('DocID:')) out.push({ docid: line.slice(6).trim(), rank: out.length + 1 });
  }
  return out;
}

export function openAiToTrajectory(v: Json, id: string): Trajectory {
  const root = Array.isArray(v) ? { messages: v } : (v as Record<string, Json>);
  const msgs = root.messages;
  if (!Array.isArray(msgs)) throw new FieldError('messages', 'expected an array of chat messages');
  const steps: Step[] = [];
  const searchByCall = new Map<string, Step & { type: 'search' }>();
  let question = typeof root.question === 'string' ? root.question : undefined;
  let finalAnswer: string | undefined;
  msgs.forEach((m: Message, i) => {
    const field = `messages[${i}]`;
    if (!m || typeof m !== 'object') throw new FieldError(field, 'message is not an object');
    if (m.role === 'user') {
      if (question === undefined) question = contentText(m.content);
      return;
    }
    if (m.role === 'tool') {
      const callId = typeof m.tool_call_id === 'string' ? m.tool_call_id : undefined;
      const s = callId !== undefined ? searchByCall.get(callId) : undefined;
      if (s) s.results = parseSearchOutput(contentText(m.content));
      return;
    }
    if (m.role !== 'assistant') return;
    const text = [contentText(m.reasoning_content), contentText(m.content)].filter((t) => t.length > 0).join('\n');
    const calls = m.tool_calls;
    if (calls !== undefined && calls !== null && !Array.isArray(calls)) throw new FieldError(`${field}.tool_calls`, 'expected an array');
    if (text) steps.push({ type: 'reasoning', text });
    if (!Array.isArray(calls) || calls.length === 0) {
      if (text) {
        steps.push({ type: 'answer', text });
        finalAnswer = text;
      }
      return;
    }
    calls.forEach((c: Json, j) => {
      const cf = `${field}.tool_calls[${j}]`;
      const fn = c && typeof c === 'object' ? (c as { function?: { name?: Json; arguments?: Json } }).function : undefined;
      if (!fn || typeof fn.name !== 'string') throw new FieldError(`${cf}.function.name`, 'missing tool name');
      let args: Record<string, Json> = {};
      if (typeof fn.arguments === 'string' && fn.arguments.trim() !== '') {
        try {
          const a = JSON.parse(fn.arguments) as Json;
          if (!a || typeof a !== 'object' || Array.isArray(a)) throw new Error('not an object');
          args = a as Record<string, Json>;
        } catch (e) {
          throw new FieldError(`${cf}.function.arguments`, `not a JSON object: ${(e as Error).message}`);
        }
      } else if (fn.arguments && typeof fn.arguments === 'object') args = fn.arguments as Record<string, Json>;
      if (OPENAI_SEARCH_TOOLS.has(fn.name)) {
        const q = args.query;
        const queries = Array.isArray(q) ? q.map(String) : undefined;
        const step: Step & { type: 'search' } = { type: 'search', query: queries ? (queries[0] ?? '') : q === undefined ? '' : String(q), results: [] };
        if (queries && queries.length > 1) step.queries = queries;
        steps.push(step);
        const callId = (c as { id?: Json }).id;
        if (typeof callId === 'string') searchByCall.set(callId, step);
      } else if (OPENAI_BROWSE_TOOLS.has(fn.name)) {
        let d = args.docid ?? args.doc_id ?? args.id ?? args.url;
        if (Array.isArray(d)) d = d[0];
        if (d === undefined || d === null) steps.push({ type: 'other', tool: fn.name, browseWithoutDocid: true });
        else steps.push({ type: 'browse', docid: String(d).split(':').pop() as string, tool: fn.name });
      } else {
        steps.push({ type: 'other', tool: fn.name });
      }
    });
  });
  const traj: Trajectory = { id, question: question ?? '', steps };
  if (finalAnswer !== undefined) traj.finalAnswer = finalAnswer;
  if (typeof root.model === 'string') traj.agent = { model: root.model };
  return traj;
}
