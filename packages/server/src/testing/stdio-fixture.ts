// A stdio MCP server over the test double, for tests that spawn a real server process:
//   node -r @swc-node/register packages/server/src/testing/stdio-fixture.ts <log dir>
import { SearchService } from '../search-service';
import { SessionLog } from '../session-log';
import { whitespaceSnippeter } from '@lrat/core';
import { serveStdio } from '../stdio';
import { TINY_CORPUS } from './fixtures';
import { TermBackend } from './term-backend';

async function main(logDir: string): Promise<void> {
  const service = new SearchService(new TermBackend(TINY_CORPUS, { version: 'v1' }), {
    snippeter: whitespaceSnippeter(4),
    k: 3,
    log: new SessionLog({ dir: logDir }),
  });
  const session = await serveStdio(service);
  await session.closed;
  await service.close();
  process.stderr.write(`closed ${session.sessionId}\n`);
}

if (require.main === module) {
  main(process.argv[2]).catch((err) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  });
}
