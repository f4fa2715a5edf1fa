import { createServer, IncomingMessage, Server } from 'http';
import type { AddressInfo } from 'net';
import type { ChatCompletionRequest, ChatCompletionResponse, ChatMessage } from '@lrat/core';

// A real HTTP server speaking the OpenAI chat-completions protocol on 127.0.0.1, driven by a script:
// tests for the openai agent and the LLM judge run against it, never the internet.

export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string>;
  /** A chat completion, or any JSON / text body for error replies. */
  body?: ChatCompletionResponse | unknown;
  /** Wait this long before replying (to test timeouts and concurrency). */
  delayMs?: number;
}

export interface RecordedRequest {
  body: ChatCompletionRequest & { model: string };
  authorization: string | undefined;
  path: string;
}

/** A script answers each request with a reply, or directly with a chat completion (status 200). */
export type Script = (request: RecordedRequest, index: number) => ScriptedReply | ChatCompletionResponse | Promise<ScriptedReply | ChatCompletionResponse>;

function asReply(r: ScriptedReply | ChatCompletionResponse): ScriptedReply {
  return 'choices' in r && Array.isArray((r as ChatCompletionResponse).choices) ? { body: r } : (r as ScriptedReply);
}

export interface ScriptedServer {
  baseUrl: string;
  requests: RecordedRequest[];
  /** Most requests in flight at once. */
  maxInFlight: number;
  close(): Promise<void>;
}

export function assistantReply(message: Partial<ChatMessage>, finish = 'stop'): ChatCompletionResponse {
  return { choices: [{ message: { role: 'assistant', content: null, ...message }, finish_reason: finish }], usage: { prompt_tokens: 10, completion_tokens: 5 } };
}

export function toolCallReply(calls: Array<{ name: string; args: unknown }>, content: string | null = null, idPrefix = 'call'): ChatCompletionResponse {
  return assistantReply(
    {
      content,
      tool_calls: calls.map((c, i) => ({ id: `${idPrefix}_${i}`, type: 'function', function: { name: c.name, arguments: typeof c.args === 'string' ? c.args : JSON.stringify(c.args) } })),
    },
    'tool_calls',
  );
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export async function startScriptedServer(script: Script): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  const state = { maxInFlight: 0 };
  const pending = new Set<NodeJS.Timeout>();
  const server: Server = createServer(async (req, res) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    try {
      const raw = await readBody(req);
      const recorded: RecordedRequest = { body: JSON.parse(raw), authorization: req.headers.authorization, path: req.url ?? '' };
      const index = requests.length;
      requests.push(recorded);
      const reply = asReply(await script(recorded, index));
      if (reply.delayMs) {
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            pending.delete(t);
            r();
          }, reply.delayMs);
          pending.add(t);
          res.on('close', () => {
            clearTimeout(t);
            pending.delete(t);
            r();
          });
        });
      }
      if (res.destroyed) return;
      const body = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(body);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`script error: ${(e as Error).message}`);
    } finally {
      inFlight--;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    get maxInFlight() {
      return state.maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of pending) clearTimeout(t);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
