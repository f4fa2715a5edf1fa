import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { assistantReply, startScriptedServer, toolCallReply, type RecordedRequest, type ScriptedServer } from '@lrat/agents/testing';
import { createEncoder, selectBackend } from '@lrat/trainer';
import { defaultOptions, type BenchOptions } from './options';
import { createRealStack } from './real-stack';
import { runBenchJob } from './run-job';

// A cold embedding cache (fresh clone) means USE-lite must embed the capped corpora first.
jest.setTimeout(900_000);

// A real LLM agent (OpenAI-compatible function calling over HTTP on 127.0.0.1) beside a simulated one:
// its trajectories are mined with the others, it is evaluated before/after, its answers are judged by
// the LLM answer judge, and the report labels the run as partly simulated.

type Message = { role: string; content?: string | null; name?: string };

/** The judges' own endpoint: every answer is judged correct. */
function judgeScript(): ReturnType<typeof assistantReply> {
  return assistantReply({ content: 'extracted_final_answer: x\nreasoning: matches\ncorrect: yes' });
}

/** A scripted researcher that only knows tool calling: search the question, open the top two results, answer. */
function script(req: RecordedRequest): ReturnType<typeof assistantReply> {
  const messages = req.body.messages as Message[];
  // The agent's endpoint never gets a judge prompt.
  if (!req.body.tools) throw new Error('agent endpoint received a request without tools (a judge prompt?)');
  const tools = messages.filter((m) => m.role === 'tool');
  const question = String(messages.find((m) => m.role === 'user')?.content ?? '').replace(/^Question: /, '');
  if (tools.length === 0) return toolCallReply([{ name: 'search', args: { query: question } }], 'Let me search for this.');
  const hits = JSON.parse(String(tools[0].content)) as Array<{ docid: string }>;
  if (tools.length <= 2 && hits[tools.length - 1]) {
    const reasoning = tools.length === 1 ? '' : 'This page is relevant: it names the entity the question asks about, with dates and places.';
    return toolCallReply([{ name: 'get_document', args: { docid: hits[tools.length - 1].docid } }], reasoning || null);
  }
  return assistantReply({ content: 'The second page is unrelated to what I need.\nExplanation: found it\nExact Answer: unknown\nConfidence: 50%' });
}

describe('bench with an OpenAI-compatible agent', () => {
  let server: ScriptedServer;
  let judge: ScriptedServer;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-openai-'));
  beforeAll(async () => {
    process.env.LRAT_PROGRESS = 'silent';
    server = await startScriptedServer(script);
    judge = await startScriptedServer(judgeScript);
    // Its own cache folder, so no verdict cached by an earlier run answers without a request to the
    // judge; the USE-lite embeddings (keyed by text and model version) come from the bench's shared
    // cache through a link, as the other bench tests fill it, instead of being computed again.
    const shared = defaultOptions().cacheDir;
    await selectBackend({ log: () => undefined });
    (await createEncoder('use-adapter', { cacheDir: shared })).dispose();
    fs.mkdirSync(path.join(tmp, 'cache'));
    for (const entry of fs.readdirSync(shared).filter((e) => e.startsWith('use-lite-'))) fs.symlinkSync(path.join(shared, entry), path.join(tmp, 'cache', entry));
  });
  afterAll(async () => {
    await server.close();
    await judge.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('collects, trains and evaluates a real agent through the endpoint', async () => {
    const options: BenchOptions = {
      ...defaultOptions(),
      agents: ['reader', 'openai'],
      baseUrl: server.baseUrl,
      model: 'scripted-model',
      answerJudge: 'llm',
      judgeBaseUrl: judge.baseUrl,
      judgeModel: 'judge-model',
      limit: 4,
      corpusLimit: 300,
      epochs: 1,
      batchSize: 10,
      resamples: 100,
      out: path.join(tmp, 'out'),
      cacheDir: path.join(tmp, 'cache'),
    };
    const { report } = await runBenchJob('in-domain', options, await createRealStack(options), () => undefined);
    expect(report.provenance.simulated).toBe(false);
    expect(report.title).not.toMatch(/simulated/);
    expect(report.provenance.agents.find((a) => a.name === 'openai:scripted-model')).toMatchObject({ backend: 'openai', simulated: false, model: 'scripted-model', baseUrl: server.baseUrl });
    expect(report.provenance.judges.answer).toMatch(/LLM judge judge-model at http:\/\/127\.0\.0\.1:\d+\/v1 \(its own endpoint\)/);
    const real = report.runs.filter((r) => !r.simulated);
    expect(real.map((r) => `${r.split}/${r.retriever}`)).toEqual(['train/base', ...['base', 'lrat', 'hybrid', 'hybrid-base', 'bm25', 'gold', 'click'].map((x) => `test/${x}`)]);
    // Search + two browses per question; the answer "unknown" fails exact match, so success 1 means
    // the LLM answer judge (scripted: always "yes") judged it.
    expect(real.every((r) => r.search_calls === 1 && r.browse_calls === 2 && r.success === 1)).toBe(true);
    expect(real[0].how).toMatch(/^LLM agent openai:scripted-model/);
    expect(server.requests.every((r) => r.body.model === 'scripted-model' && r.body.tools)).toBe(true);
    expect(judge.requests.length).toBeGreaterThan(0);
    expect(judge.requests.every((r) => r.body.model === 'judge-model' && !r.body.tools)).toBe(true);
  });
});
