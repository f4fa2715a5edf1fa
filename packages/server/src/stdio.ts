import * as crypto from 'crypto';
import { PassThrough, type Readable, type Writable } from 'stream';
import { checkJsonRpcLine } from './jsonrpc-gate';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMcpServer } from './mcp';
import type { SearchService } from './search-service';

export interface StdioSession {
  /** The session (and trajectory) id of this connection. */
  sessionId: string;
  /** Resolves when the client goes away (stdin ends) and the session has been written. */
  closed: Promise<void>;
  close(): Promise<void>;
}

/**
 * MCP over stdio: one connection = one session = one trajectory, closed when stdin ends (the host
 * quit) or on close(). stdout carries the protocol only; the CLI writes its messages to stderr.
 */
export async function serveStdio(service: SearchService, io: { stdin?: Readable; stdout?: Writable } = {}): Promise<StdioSession> {
  const sessionId = `stdio-${crypto.randomUUID()}`;
  const stdin = io.stdin ?? process.stdin;
  const stdout = io.stdout ?? process.stdout;
  const transport = new StdioServerTransport(gateJsonRpc(stdin, stdout), stdout);
  const server = createMcpServer(service, () => {
    const info = server.server.getClientVersion();
    return { session: sessionId, transport: 'mcp-stdio', agent: info ? { name: info.name, version: info.version } : undefined };
  });
  let done!: () => void;
  const closed = new Promise<void>((r) => (done = r));
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    service.closeSession(sessionId, 'disconnect');
    done();
  };
  transport.onclose = finish;
  stdin.once('end', () => void server.close().then(finish, finish));
  await server.connect(transport);
  return {
    sessionId,
    closed,
    async close() {
      await server.close().catch(() => undefined);
      finish();
    },
  };
}

/**
 * What the SDK transport reads: stdin's lines that are valid JSON-RPC; the others are answered here
 * with a -32700/-32600 error (see jsonrpc-gate.ts) instead of being dropped silently.
 */
function gateJsonRpc(stdin: Readable, stdout: Writable): Readable {
  const out = new PassThrough();
  let pending = '';
  stdin.setEncoding('utf8');
  stdin.on('data', (chunk: string) => {
    // Only the new chunk is searched for newlines, so a long line costs linear time.
    let search = pending.length;
    pending += chunk;
    let nl: number;
    let from = 0;
    while ((nl = pending.indexOf('\n', search)) >= 0) {
      search = nl + 1;
      const line = pending.slice(from, nl).replace(/\r$/, '');
      from = nl + 1;
      if (line.trim() === '') continue;
      const error = checkJsonRpcLine(line);
      if (error) stdout.write(JSON.stringify(error) + '\n');
      else out.write(line + '\n');
    }
    pending = pending.slice(from);
  });
  stdin.once('end', () => out.end());
  stdin.once('error', (e) => out.destroy(e));
  return out;
}
