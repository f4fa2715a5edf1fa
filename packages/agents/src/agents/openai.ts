import { type Trajectory, type SearchTool, TrajectoryRecorder } from '@lrat/trajectory';
import type { Question } from '../dataset';
import { ChatClient, type ChatClientOptions, type ChatMessage } from '@lrat/core';
import type { Agent, AgentRunOptions } from './agent';

// A function-calling deep-research agent over any OpenAI-compatible endpoint, with the official tool
// pair (search, get_document). The assistant's text and reasoning between tool calls become reasoning
// steps, so the step right after a browse is what the model wrote about the page — what LRAT mines.

export const DEFAULT_SYSTEM_PROMPT =
  'You are a deep-research assistant. Answer the question using the search tools: call `search` with ' +
  'focused queries, open promising results with `get_document`, and think about what each document ' +
  'tells you before continuing. When you are confident, reply without tool calls in the format\n' +
  'Explanation: <your reasoning>\nExact Answer: <short final answer>\nConfidence: <0-100%>';

export const FINAL_TURN_PROMPT = 'Retrieval is over. Give your final answer now, based on what you found, in the required format.';

export interface OpenAIAgentOptions extends Omit<ChatClientOptions, 'model' | 'baseUrl'> {
  baseUrl: string;
  model: string;
  /** Model turns per question; the last one must answer without tools (default 30). */
  maxTurns?: number;
  systemPrompt?: string;
  temperature?: number;
  maxTokens?: number;
  /** Characters of a document returned by get_document (long pages are cut; default 20000). */
  documentChars?: number;
}

export function toolDefinitions(k: number): unknown[] {
  return [
    {
      type: 'function',
      function: {
        name: 'search',
        description: `Search the knowledge base. Returns the top ${k} documents: docid, score and the first 64 tokens as a snippet.`,
        parameters: { type: 'object', properties: { query: { type: 'string', description: 'The search query' } }, required: ['query'] },
      },
    },
    {
      type: 'function',
      function: {
        name: 'get_document',
        description: 'Retrieve the full text of a document by its docid.',
        parameters: { type: 'object', properties: { docid: { type: 'string', description: 'Document id from a search result' } }, required: ['docid'] },
      },
    },
  ];
}

/** Splits `<think>…</think>` blocks out of assistant content. */
export function splitThinking(content: string): { thinking: string; text: string } {
  const thinking: string[] = [];
  const text = content.replace(/<think>([\s\S]*?)<\/think>/g, (_, t: string) => {
    thinking.push(t.trim());
    return '';
  });
  return { thinking: thinking.join('\n'), text: text.trim() };
}

/** The "Exact Answer:" line of a BrowseComp-style reply, else the whole reply. */
export function extractFinalAnswer(content: string): string {
  const m = content.match(/exact answer\s*[:：]\s*(.+)/i);
  return (m ? m[1] : content).trim().replace(/^\*+|\*+$/g, '').trim();
}

export function createOpenAIAgent(options: OpenAIAgentOptions): Agent {
  const client = new ChatClient(options);
  const name = `openai:${options.model}`;
  return {
    name,
    simulated: false,
    run: (question, tool, runOptions) => converse(question, tool, runOptions, options, client, name),
  };
}

async function converse(
  question: Question,
  tool: SearchTool,
  run: AgentRunOptions,
  options: OpenAIAgentOptions,
  client: ChatClient,
  name: string,
): Promise<Trajectory> {
  const rec = new TrajectoryRecorder(tool);
  const maxTurns = options.maxTurns ?? 30;
  const messages: ChatMessage[] = [
    { role: 'system', content: options.systemPrompt ?? DEFAULT_SYSTEM_PROMPT },
    { role: 'user', content: `Question: ${question.text}` },
  ];
  const tools = toolDefinitions(tool.k);
  let usage = { prompt: 0, completion: 0 };
  let answered = false;
  let stopReason = 'max_turns';
  for (let turn = 0; turn < maxTurns && !answered; turn++) {
    const last = turn === maxTurns - 1;
    if (last) messages.push({ role: 'user', content: FINAL_TURN_PROMPT });
    const seed = typeof run.seed === 'number' ? run.seed : undefined;
    const response = await client.complete(
      {
        messages,
        tools,
        tool_choice: last ? 'none' : 'auto',
        ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
        ...(options.maxTokens !== undefined ? { max_tokens: options.maxTokens } : {}),
        ...(seed !== undefined ? { seed } : {}),
      },
      run.signal,
    );
    usage = { prompt: usage.prompt + (response.usage?.prompt_tokens ?? 0), completion: usage.completion + (response.usage?.completion_tokens ?? 0) };
    const msg = response.choices[0].message;
    const { thinking, text } = splitThinking(msg.content ?? '');
    const reasoning = [msg.reasoning_content ?? msg.reasoning ?? '', thinking].filter((s) => s && s.trim()).join('\n');
    const calls = last ? [] : (msg.tool_calls ?? []);
    messages.push({ role: 'assistant', content: msg.content ?? null, ...(calls.length ? { tool_calls: calls } : {}) });
    if (calls.length === 0) {
      rec.reason(reasoning);
      if (text) {
        rec.answer(extractFinalAnswer(text));
        answered = true;
        stopReason = 'answered';
      } else if (last) stopReason = 'empty_final_answer';
      continue;
    }
    // Text written before tool calls is the model's reasoning about what it just read.
    rec.reason([reasoning, text].filter(Boolean).join('\n'));
    for (const call of calls) {
      run.signal?.throwIfAborted();
      messages.push({ role: 'tool', tool_call_id: call.id, name: call.function.name, content: await execute(call.function.name, call.function.arguments, rec, options) });
    }
  }
  return rec.trajectory({
    id: `${name}:${question.id}`,
    questionId: question.id,
    question: question.text,
    answer: question.answer ?? null,
    agent: { name, backend: 'openai', model: options.model, simulated: false },
    metadata: { baseUrl: options.baseUrl, stopReason, usage, seed: run.seed },
  });
}

async function execute(tool: string, rawArgs: string, rec: TrajectoryRecorder, options: OpenAIAgentOptions): Promise<string> {
  let args: Record<string, unknown>;
  try {
    const parsed: unknown = rawArgs && rawArgs.trim() ? JSON.parse(rawArgs) : {};
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('arguments must be a JSON object');
    args = parsed as Record<string, unknown>;
  } catch (e) {
    rec.other(tool, `invalid arguments: ${rawArgs.slice(0, 200)}`);
    return JSON.stringify({ error: `Invalid arguments for ${tool}: ${(e as Error).message}. Pass a JSON object.` });
  }
  if (tool === 'search') {
    // Official clients name the argument `query` or `user_query`.
    const query = args.query ?? args.user_query;
    if (typeof query !== 'string' || query.trim() === '') {
      rec.other(tool, 'search without a query');
      return JSON.stringify({ error: 'search needs a non-empty "query" string' });
    }
    const hits = await rec.search(query);
    return JSON.stringify(hits.map((h) => ({ docid: h.docid, score: h.score, snippet: h.snippet })), null, 1);
  }
  if (tool === 'get_document') {
    const docid = Array.isArray(args.docid) ? args.docid[0] : args.docid;
    if (docid === undefined || docid === null || docid === '') {
      rec.other(tool, 'get_document without a docid');
      return JSON.stringify({ error: 'get_document needs a "docid"' });
    }
    const doc = await rec.getDocument(String(docid));
    if (!doc) return JSON.stringify({ error: `Document with docid '${String(docid)}' not found` });
    return JSON.stringify({ docid: doc.docid, text: doc.text.slice(0, options.documentChars ?? 20000) });
  }
  rec.other(tool, rawArgs.slice(0, 200));
  return JSON.stringify({ error: `Unknown tool "${tool}". Available tools: search, get_document.` });
}
