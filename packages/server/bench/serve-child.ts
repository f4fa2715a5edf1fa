// The server process of the load test: the real backend loader, snippets, session log and HTTP
// server of @lrat/server, as `lrat serve` wires them (the CLI lives above this package).
//   node -r @swc-node/register packages/server/bench/serve-child.ts <index> <corpus> <log dir> [qwen3|whitespace] [warm]
// Prints "LISTENING <url>" on stdout once it serves, and "WARM <docs> <ms>" once snippets are precomputed.
import { loadEncoder, selectBackend } from '@lrat/trainer';
import { createSnippeter, type SnippetTokenizer } from '@lrat/core';
import { createHttpServer, createIndexLoader, SearchService, SessionLog } from '../src';

async function main(): Promise<void> {
  const [index, corpus, logDir, tokenizer = 'qwen3', warm] = process.argv.slice(2);
  const loader = createIndexLoader({
    loadEmbedder: async (ref) => {
      await selectBackend({ log: () => undefined });
      return loadEncoder(ref.path);
    },
  });
  const [backend, snippeter] = await Promise.all([loader({ index, corpus }), createSnippeter(tokenizer as SnippetTokenizer, 64)]);
  const log = new SessionLog({ dir: logDir });
  log.recover();
  const service = new SearchService(backend, { snippeter, k: 10, log, loader, source: { index, corpus } });
  const http = createHttpServer(service, { onError: (m) => process.stderr.write(`${m}\n`) });
  const url = await http.listen(0, '127.0.0.1');
  process.stdout.write(`LISTENING ${url} ${backend.kind} ${backend.version}\n`);
  if (warm === 'warm') {
    const t = Date.now();
    const n = await service.warmSnippets();
    process.stdout.write(`WARM ${n} ${Date.now() - t}\n`);
  }
  const stop = () => void http.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
