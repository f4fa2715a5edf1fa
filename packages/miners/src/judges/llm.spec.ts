import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { JudgeUnavailableError, judgePrompt, LlmJudge, parseJudgeReply } from './llm';
import { reasoningSha256 } from './judge';
import { ReplayJudge } from './replay';
import { mineToFile } from '../mine-to-file';

// The LLM judge against a real HTTP server on 127.0.0.1 that misbehaves before answering.

type Behaviour = '429' | '500' | 'timeout' | 'garbage' | 'nochoices' | 'ok';

interface Script {
  /** Per judged text (keyed by its marker), what the server does on each successive request. */
  plan: Map<string, Behaviour[]>;
  requests: { text: string; auth?: string; body: Record<string, unknown> }[];
}

function markerOf(prompt: string): string {
  return prompt.slice(prompt.lastIndexOf('AnalysisText:\n') + 'AnalysisText:\n'.length);
}

async function startServer(script: Script): Promise<{ server: Server; url: string }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.url !== '/v1/chat/completions' || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(raw) as { messages: { content: string }[] } & Record<string, unknown>;
      const text = markerOf(body.messages[0].content);
      script.requests.push({ text, auth: req.headers.authorization, body });
      const steps = script.plan.get(text) ?? [];
      const b = steps.shift() ?? 'ok';
      if (b === '429') res.writeHead(429, { 'retry-after': '0' }).end('slow down');
      else if (b === '500') res.writeHead(500).end('oops');
      else if (b === 'timeout') setTimeout(() => res.writeHead(200).end('{}'), 2000);
      else if (b === 'garbage') res.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json');
      else if (b === 'nochoices') res.writeHead(200, { 'content-type': 'application/json' }).end('{"error": "busy"}');
      else {
        const verdict = text.includes('off-topic') ? 'NOT_RELEVANT' : 'RELEVANT';
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { role: 'assistant', content: `\n ${verdict}\n` } }] }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

describe('LlmJudge', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'lrat-judge-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loses no verdict through 429/500/timeouts/garbage, caches each one, and re-runs from cache', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => (i % 5 === 0 ? `page ${i} is off-topic` : `page ${i} lists the dates we need`));
    const kinds: Behaviour[] = ['429', '500', 'timeout', 'garbage', 'nochoices'];
    const script: Script = { plan: new Map(texts.map((t, i) => [t, [kinds[i % 5], kinds[(i + 2) % 5]]])), requests: [] };
    const { server, url } = await startServer(script);
    const retries: string[] = [];
    try {
      const opts = { baseUrl: url, model: 'judge-model', apiKey: 'sk-test-secret', cacheDir: dir, concurrency: 8, timeoutMs: 600, backoffBaseMs: 1, backoffMaxMs: 5, onRetry: (r: { reason: string }) => retries.push(r.reason) };
      const judge = new LlmJudge(opts);
      const verdicts = await judge.judge(texts);
      expect(verdicts).toEqual(texts.map((t) => !t.includes('off-topic')));
      expect(judge.counters.judged).toBe(40);
      // two scripted failures per text; a slow machine may add timeouts, never lose a verdict
      expect(judge.counters.retries).toBeGreaterThanOrEqual(80);
      expect(retries.some((r) => r.includes('timeout'))).toBe(true);
      expect(retries.some((r) => r.includes('HTTP 429'))).toBe(true);
      expect(retries.some((r) => r.includes('not JSON'))).toBe(true);
      expect(retries.join(' ')).not.toContain('sk-test-secret');
      // Key sent as a bearer token; official prompt and sampling parameters.
      expect(script.requests[0].auth).toBe('Bearer sk-test-secret');
      expect(script.requests[0].body.model).toBe('judge-model');
      expect(script.requests[0].body.temperature).toBe(0.8);
      // Every verdict is on disk, in the replay format.
      const replay = ReplayJudge.fromFile(path.join(dir, 'verdicts.jsonl'));
      expect(await replay.judge(texts)).toEqual(verdicts);

      // A re-run pays nothing.
      const before = script.requests.length;
      const again = new LlmJudge(opts);
      expect(await again.judge(texts)).toEqual(verdicts);
      expect(script.requests.length).toBe(before);
      expect(again.counters.cacheHits).toBe(40);
    } finally {
      server.close();
    }
  });

  it('recovers a cache whose last line was torn by a kill', async () => {
    const script: Script = { plan: new Map(), requests: [] };
    const { server, url } = await startServer(script);
    try {
      await new LlmJudge({ baseUrl: url, model: 'm', cacheDir: dir }).judge(['one', 'two']);
      const file = path.join(dir, 'verdicts.jsonl');
      writeFileSync(file, readFileSync(file, 'utf8') + '{"reasoning_sha256": "ab');
      const judge = new LlmJudge({ baseUrl: url, model: 'm', cacheDir: dir });
      expect(judge.cacheSize).toBe(2);
      await judge.judge(['three']);
      expect(new LlmJudge({ baseUrl: url, model: 'm', cacheDir: dir }).cacheSize).toBe(3);
      expect(script.requests.length).toBe(3);
    } finally {
      server.close();
    }
  });

  it('surfaces a lasting outage as an error, never as negatives', async () => {
    const script: Script = { plan: new Map([['x', ['500', '500', '500', '500']]]), requests: [] };
    const { server, url } = await startServer(script);
    try {
      const judge = new LlmJudge({ baseUrl: url, model: 'm', maxAttempts: 3, backoffBaseMs: 1, backoffMaxMs: 2, cacheDir: dir });
      await expect(judge.judge(['x'])).rejects.toThrow(JudgeUnavailableError);
      expect(script.requests.length).toBe(3);
      expect(judge.cacheSize).toBe(0);
    } finally {
      server.close();
    }
  });

  it('does not retry a client error such as 401', async () => {
    const server = createServer((_req, res) => res.writeHead(401).end('bad key'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const judge = new LlmJudge({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, model: 'm', backoffBaseMs: 1 });
      await expect(judge.judge(['x'])).rejects.toThrow(/HTTP 401/);
      expect(judge.counters.requests).toBe(1);
    } finally {
      server.close();
    }
  });

  it('never prints the API key when a gateway echoes the Authorization header in a 4xx body', async () => {
    const key = 'sk-test-Zq8y3LongSecretValue1234567890';
    const server = createServer((req, res) =>
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'bad request', echo: { authorization: req.headers.authorization }, other: 'Bearer abc.def-ghi_jkl' })),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const judge = new LlmJudge({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, model: 'm', apiKey: key, backoffBaseMs: 1 });
      const err = (await judge.judge(['x']).catch((e: Error) => e)) as Error;
      expect(err.message).toMatch(/HTTP 400/);
      expect(err.message).toContain('[REDACTED]');
      expect(err.message).not.toContain(key);
      expect(err.message).not.toContain('Zq8y3');
      expect(err.message).not.toContain('abc.def');
    } finally {
      server.close();
    }
  });

  it('deduplicates identical texts in flight', async () => {
    const script: Script = { plan: new Map(), requests: [] };
    const { server, url } = await startServer(script);
    try {
      const judge = new LlmJudge({ baseUrl: url, model: 'm' });
      expect(await judge.judge(['same', 'same', 'same'])).toEqual([true, true, true]);
      expect(script.requests.length).toBe(1);
    } finally {
      server.close();
    }
  });
});

describe('unrecognised judge replies', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'lrat-judge-unrec-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function replying(reply: (text: string) => string): Promise<{ server: Server; url: string }> {
    const server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        const text = markerOf((JSON.parse(raw) as { messages: { content: string }[] }).messages[0].content);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [{ message: { content: reply(text) } }] }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
  }

  it('are NOT_RELEVANT (the official parse), counted, and not cached', async () => {
    const { server, url } = await replying((t) => (t.startsWith('a') ? '<think>hmm</think> RELEVANT' : t.startsWith('b') ? 'NOT_RELEVANT' : 'RELEVANT'));
    try {
      const judge = new LlmJudge({ baseUrl: url, model: 'm', cacheDir: dir });
      expect(await judge.judge(['a1', 'a2', 'a3', 'b1', 'c1'])).toEqual([false, false, false, false, true]);
      expect(judge.counters.unrecognised).toBe(3);
      expect(judge.unrecognisedWarning()).toBe(
        '3 of 5 LLM judge replies (60.0%) started with neither RELEVANT nor NOT_RELEVANT (first: "<think>hmm</think> RELEVANT"); ' +
          'they count as NOT_RELEVANT, as in the official builder, and are not cached',
      );
      expect(readFileSync(path.join(dir, 'verdicts.jsonl'), 'utf8').trim().split('\n').length).toBe(2);
    } finally {
      server.close();
    }
  });

  it('no warning when every reply is recognised', async () => {
    const { server, url } = await replying(() => 'RELEVANT');
    try {
      const judge = new LlmJudge({ baseUrl: url, model: 'm' });
      await judge.judge(['x', 'y']);
      expect(judge.unrecognisedWarning()).toBeNull();
    } finally {
      server.close();
    }
  });

  it('lrat mine warns with the share when every reply is unrecognised', async () => {
    const { server, url } = await replying(() => 'Sure! The analysis suggests the page is relevant.');
    const data = path.resolve(__dirname, '../../../../data/lrat-examples');
    const warnings: string[] = [];
    try {
      await mineToFile({
        trajectories: [path.join(data, 'trajectories')], format: 'lrat', corpus: path.join(data, 'parity/corpus.jsonl'),
        judge: { kind: 'llm', llm: { baseUrl: url, model: 'm' } }, tokenizer: 'whitespace', out: path.join(dir, 'pairs.jsonl'),
        onWarning: (w) => warnings.push(w),
      });
      // (Trajectory 11 browses a document its searches never showed: the yield check names it too.)
      const judgeWarnings = warnings.filter((w) => w.includes('LLM judge replies'));
      expect(judgeWarnings).toHaveLength(1);
      expect(judgeWarnings[0]).toMatch(/^(\d+) of \1 LLM judge replies \(100\.0%\) started with neither RELEVANT nor NOT_RELEVANT \(first: "Sure! The analysis/);
    } finally {
      server.close();
    }
  });
});

describe('judge prompt and reply', () => {
  it('inserts the text verbatim after the final AnalysisText: line', () => {
    const p = judgePrompt('cost is $& and $1 {{ANALYSIS_TEXT}}');
    expect(p.endsWith('AnalysisText:\ncost is $& and $1 {{ANALYSIS_TEXT}}')).toBe(true);
    expect(p.startsWith('You are an LLM judge.')).toBe(true);
    expect(p).toContain('Return exactly one token:\n\nRELEVANT\nNOT_RELEVANT');
  });

  it('the verdict is the first token being exactly RELEVANT', () => {
    expect(parseJudgeReply('  RELEVANT\n')).toBe(true);
    expect(parseJudgeReply('NOT_RELEVANT')).toBe(false);
    expect(parseJudgeReply('relevant')).toBe(false);
    expect(parseJudgeReply('RELEVANT.')).toBe(false);
    expect(parseJudgeReply('')).toBe(false);
  });

  it('sha256 keys are of the UTF-8 text', () => {
    expect(reasoningSha256('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});
