// The MCP SDK's stdio transport drops a line that is not valid JSON-RPC (it only reports it to
// onerror), so a client that sent one waits forever. This gate checks each line first and answers
// the ones the SDK would drop with the JSON-RPC 2.0 errors: -32700 (parse error) and -32600
// (invalid request: wrong "jsonrpc", an id without a method, params that are not an object or an
// array, an id that is not a string or number, a batch).

export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;

export interface RpcErrorReply {
  jsonrpc: '2.0';
  id: string | number | null;
  error: { code: number; message: string };
}

const reply = (id: string | number | null, code: number, message: string): RpcErrorReply => ({ jsonrpc: '2.0', id, error: { code, message } });

/** null when the line is a JSON-RPC 2.0 message to pass on; otherwise the error reply to send back. */
export function checkJsonRpcLine(line: string): RpcErrorReply | null {
  let msg: unknown;
  try {
    msg = JSON.parse(line);
  } catch (e) {
    return reply(null, PARSE_ERROR, `Parse error: ${(e as Error).message}`);
  }
  if (typeof msg !== 'object' || msg === null) return reply(null, INVALID_REQUEST, 'Invalid Request: a message must be a JSON object');
  if (Array.isArray(msg)) return reply(null, INVALID_REQUEST, 'Invalid Request: batches are not supported; send one JSON object per line');
  const m = msg as Record<string, unknown>;
  const idOk = typeof m.id === 'string' || (typeof m.id === 'number' && Number.isFinite(m.id));
  const id = idOk ? (m.id as string | number) : null;
  if (m.jsonrpc !== '2.0') return reply(id, INVALID_REQUEST, `Invalid Request: "jsonrpc" must be "2.0", got ${JSON.stringify(m.jsonrpc) ?? 'nothing'}`);
  if ('id' in m && !idOk) return reply(null, INVALID_REQUEST, 'Invalid Request: "id" must be a string or a number');
  if (!('method' in m)) {
    // A response to a request of ours (result or error with our id) is fine; anything else is not.
    if (idOk && ('result' in m || 'error' in m)) return null;
    return reply(id, INVALID_REQUEST, 'Invalid Request: "method" is missing');
  }
  if (typeof m.method !== 'string') return reply(id, INVALID_REQUEST, 'Invalid Request: "method" must be a string');
  if ('params' in m && (typeof m.params !== 'object' || m.params === null)) {
    return reply(id, INVALID_REQUEST, `Invalid Request: "params" must be an object or an array, got ${m.params === null ? 'null' : typeof m.params}`);
  }
  return null;
}
