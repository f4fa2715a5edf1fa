import { createServer } from 'http';
import type { AddressInfo } from 'net';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { parseVerdicts } from './judges/replay';
import { reasoningSha256 } from './judges/judge';
import { mineToFile } from './mine-to-file';

// The LLM judge path end to end: an OpenAI-compatible server on 127.0.0.1 that answers from the
// parity verdicts (after a 503 for every first request) must give exactly the official output, and a
// re-run must be served from the cache without a single request.

const data = path.resolve(__dirname, '../../../data/lrat-examples');

it('mining with the LLM judge reproduces the parity output, then re-runs from the cache', async () => {
  const verdicts = parseVerdicts(readFileSync(path.join(data, 'parity/verdicts.jsonl'), 'utf8'), 'verdicts.jsonl');
  const seen = new Set<string>();
  let requests = 0;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      requests++;
      const prompt = (JSON.parse(raw) as { messages: { content: string }[] }).messages[0].content;
      const text = prompt.slice(prompt.lastIndexOf('AnalysisText:\n') + 'AnalysisText:\n'.length);
      const sha = reasoningSha256(text);
      if (!seen.has(sha)) {
        seen.add(sha);
        res.writeHead(503).end();
        return;
      }
      const v = verdicts.get(sha);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { content: v === undefined ? 'unknown text' : v ? 'RELEVANT' : 'NOT_RELEVANT' } }] }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const dir = mkdtempSync(path.join(tmpdir(), 'lrat-llm-parity-'));
  try {
    const run = (out: string) =>
      mineToFile({
        trajectories: [path.join(data, 'trajectories')],
        format: 'lrat',
        corpus: path.join(data, 'parity/corpus.jsonl'),
        judge: { kind: 'llm', llm: { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, model: 'm', cacheDir: path.join(dir, 'cache'), backoffBaseMs: 1, backoffMaxMs: 4 } },
        tokenizer: 'whitespace',
        out,
      });
    const first = await run(path.join(dir, 'a.jsonl'));
    expect(first.samples).toBe(22);
    const strip = (t: string) => t.split('\n').map((l) => l.replace(/, "reweight_rate": [^}]*\}$/, ''));
    const expected = readFileSync(path.join(data, 'parity/expected.jsonl'), 'utf8');
    expect(strip(readFileSync(path.join(dir, 'a.jsonl'), 'utf8'))).toEqual(strip(expected));
    expect(requests).toBe(2 * verdicts.size);
    const before = requests;
    await run(path.join(dir, 'b.jsonl'));
    expect(requests).toBe(before);
    expect(readFileSync(path.join(dir, 'b.jsonl'), 'utf8')).toBe(readFileSync(path.join(dir, 'a.jsonl'), 'utf8'));
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
