import * as crypto from 'crypto';
import type { Readable, Writable } from 'stream';
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
  const transport = new StdioServerTransport(io.stdin, io.stdout);
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
  (io.stdin ?? process.stdin).once('end', () => void server.close().then(finish, finish));
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
