import { promises as fs } from 'fs';
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { createOpenAIAgent, createSimulatedAgent, loadBeirDataset, SIMULATED_PROFILES, splitQuestions, type Agent } from '@lrat/agents';
import { calibrationStats, createLlmAnswerJudge, exactMatchJudge, perQuestionCsv, runAgent, summarize, type AnswerJudge, type CalibrationStats, type MetricSummary, type QuestionResult } from '@lrat/evaluation';
import { Bm25Index, createBm25Searcher, openSearcher } from '@lrat/indexer';
import { createSearchTool, inMemoryDocumentStore, writeTrajectoriesJsonl, type Trajectory } from '@lrat/trajectory';
import { loadModelEmbedder } from './encoder-loading';
import { createProgress, createSnippeter, type Searcher, writeFileAtomic } from '@lrat/core';

// `lrat collect`: let agents (simulated or a real LLM endpoint) answer a data set's questions through
// the search tool, and write their trajectories (normalised JSONL, what `lrat mine` reads), the
// per-question results and a summary with the agent-behaviour statistics.

export interface CollectArgs {
  dataset: string;
  index?: string;
  agents: string;
  split: 'train' | 'test' | 'all';
  splitSeed: number;
  testFraction: number;
  limit?: number;
  seed: number;
  k: number;
  snippetTokens: number;
  snippetTokenizer: 'whitespace' | 'qwen3';
  baseUrl?: string;
  model?: string;
  maxTurns: number;
  concurrency: number;
  timeout: number;
  judge: 'em' | 'llm';
  judgeBaseUrl?: string;
  judgeModel?: string;
  judgeCache?: string;
  out: string;
  quiet: boolean;
}

export interface CollectOutcome {
  files: { trajectories: string; results: string; summary: string };
  agents: Array<{ agent: string; simulated: boolean; summary: MetricSummary; calibration: CalibrationStats; errors: number }>;
}

/** Parses `--agents` ("simulated:careful,simulated:greedy,openai"); `simulated` alone means every profile. */
export function parseAgentList(spec: string): Array<{ backend: 'simulated'; profile: string } | { backend: 'openai' }> {
  const out: Array<{ backend: 'simulated'; profile: string } | { backend: 'openai' }> = [];
  for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [backend, profile] = item.split(':');
    if (backend === 'openai') out.push({ backend: 'openai' });
    else if (backend === 'simulated' && !profile) for (const p of Object.keys(SIMULATED_PROFILES)) out.push({ backend: 'simulated', profile: p });
    else if (backend === 'simulated' || SIMULATED_PROFILES[backend]) {
      const name = backend === 'simulated' ? profile : backend;
      if (!SIMULATED_PROFILES[name]) throw new Error(`--agents: unknown simulated profile "${name}" (known: ${Object.keys(SIMULATED_PROFILES).join(', ')})`);
      out.push({ backend: 'simulated', profile: name });
    } else throw new Error(`--agents: unknown agent "${item}" (simulated[:profile], openai)`);
  }
  if (out.length === 0) throw new Error('--agents: no agent given');
  return out;
}

function fmt(x: number, digits = 3): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}

export function formatCollectTable(rows: CollectOutcome['agents']): string {
  const header = ['agent', 'questions', 'success', 'evidence_recall', 'steps', 'searches', 'browses', 'solved browse/search'];
  const body = rows.map((r) => [
    `${r.agent}${r.simulated ? ' (simulated)' : ''}`,
    String(r.summary.questions),
    fmt(r.summary.success),
    fmt(r.summary.evidenceRecall),
    fmt(r.summary.steps, 2),
    fmt(r.summary.searches, 2),
    fmt(r.summary.browses, 2),
    fmt(r.calibration.solved.browseSearchRatio),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), ...body.map(line)].join('\n') + '\n';
}

export async function runCollect(a: CollectArgs, say: (line: string) => void = (l) => process.stderr.write(`lrat collect: ${l}\n`)): Promise<CollectOutcome> {
  const agentSpecs = parseAgentList(a.agents);
  if (agentSpecs.some((s) => s.backend === 'openai') && (!a.baseUrl || !a.model)) throw new Error('--agents openai needs --base-url and --model');
  if (a.judge === 'llm' && !a.judgeBaseUrl) throw new Error('--judge llm needs --judge-base-url (e.g. http://127.0.0.1:8000/v1)');
  const dataset = await loadBeirDataset(a.dataset);
  let questions = dataset.questions.filter((q) => q.evidence.length > 0 || q.answer !== undefined);
  if (a.split !== 'all') questions = splitQuestions(questions, { seed: a.splitSeed, testFraction: a.testFraction })[a.split];
  if (a.limit !== undefined) questions = questions.slice(0, a.limit);
  if (questions.length === 0) throw new Error(`${a.dataset}: no questions to run (split ${a.split}, limit ${a.limit ?? 'none'})`);
  const corpus = await dataset.loadCorpus();
  let searcher: Searcher;
  let retriever: string;
  if (a.index) {
    searcher = await openSearcher(a.index, { loadEmbedder: (ref) => loadModelEmbedder(path.resolve(a.index as string, ref.path), say) });
    retriever = path.basename(path.resolve(a.index));
  } else {
    if (!a.quiet) say(`no --index: building BM25 over ${corpus.size} documents of ${dataset.name}`);
    searcher = createBm25Searcher(Bm25Index.build(corpus.values()));
    retriever = 'bm25';
  }
  const documents = inMemoryDocumentStore(corpus);
  const snippets = await createSnippeter(a.snippetTokenizer, a.snippetTokens);
  const tool = createSearchTool({ searcher, documents, k: a.k, snippets, indexName: retriever });
  let judge: AnswerJudge = exactMatchJudge;
  if (a.judge === 'llm') {
    judge = createLlmAnswerJudge({ client: { baseUrl: a.judgeBaseUrl as string, model: a.judgeModel ?? a.model ?? 'default' }, cacheFile: a.judgeCache });
  }
  const agents: Agent[] = agentSpecs.map((s) => {
    if (s.backend === 'simulated') return createSimulatedAgent({ profile: s.profile, documents });
    return createOpenAIAgent({ baseUrl: a.baseUrl as string, model: a.model as string, maxTurns: a.maxTurns });
  });

  const trajectories: Trajectory[] = [];
  const results: QuestionResult[] = [];
  const outcome: CollectOutcome['agents'] = [];
  for (const agent of agents) {
    const progress = a.quiet ? undefined : createProgress({ label: agent.name, total: questions.length });
    const run = await runAgent({
      agent,
      questions,
      tool,
      seed: a.seed,
      judge,
      retriever,
      split: a.split === 'all' ? undefined : a.split,
      concurrency: agent.simulated ? 1 : a.concurrency,
      timeoutMs: agent.simulated ? undefined : a.timeout * 1000,
      onProgress: (done) => progress?.update(done),
    });
    progress?.stop();
    for (const e of run.errors) say(`${agent.name}: question ${e.questionId} failed: ${e.error}`);
    trajectories.push(...run.trajectories);
    results.push(...run.results);
    const evidence = new Map(questions.map((q) => [q.id, q.evidence]));
    const calibration = calibrationStats(run.trajectories.map((t, i) => ({ trajectory: t, success: run.results[i].success, evidence: evidence.get(t.questionId ?? '') ?? [] })), a.k);
    outcome.push({ agent: agent.name, simulated: agent.simulated, summary: summarize(run.results), calibration, errors: run.errors.length });
  }

  await fs.mkdir(a.out, { recursive: true });
  const files = {
    trajectories: path.join(a.out, 'trajectories.jsonl'),
    results: path.join(a.out, 'results.csv'),
    summary: path.join(a.out, 'summary.json'),
  };
  await writeTrajectoriesJsonl(files.trajectories, trajectories);
  await writeFileAtomic(files.results, perQuestionCsv(results));
  const summary = {
    produced: {
      dataset: dataset.dir,
      questions: questions.length,
      split: a.split,
      splitSeed: a.splitSeed,
      testFraction: a.testFraction,
      seed: a.seed,
      retriever: a.index ? { index: path.resolve(a.index) } : { kind: 'bm25', built: 'in memory from the corpus (k1 0.9, b 0.4)' },
      tool: { k: a.k, snippetTokens: a.snippetTokens, snippetTokenizer: snippets.tokenizer },
      answerJudge: judge.id,
    },
    agents: outcome,
  };
  await writeFileAtomic(files.summary, JSON.stringify(summary, null, 2) + '\n');
  return { files, agents: outcome };
}

export const collectCommand: CommandModule<object, CollectArgs> = {
  command: 'collect',
  describe: 'Run search agents (simulated or an OpenAI-compatible LLM) over a BEIR data set and record their trajectories',
  builder: (y: Argv<object>) =>
    y
      .option('dataset', { type: 'string', default: 'data/multihop-wiki', describe: 'BEIR folder: corpus.jsonl, queries.jsonl (optional answer), qrels/*.tsv' })
      .option('index', { type: 'string', describe: 'Saved index directory (lrat index); default: BM25 built in memory from the corpus' })
      .option('agents', { type: 'string', default: 'simulated', describe: 'Comma list: simulated (every profile), simulated:careful|greedy|shallow, openai' })
      .option('split', { choices: ['train', 'test', 'all'] as const, default: 'all' as const, describe: 'Which questions: the seeded train or test part, or all' })
      .option('split-seed', { type: 'number', default: 13, describe: 'Seed of the train/test question split' })
      .option('test-fraction', { type: 'number', default: 0.5, describe: 'Share of questions held out as test' })
      .option('limit', { type: 'number', describe: 'Only the first N questions (after the split)' })
      .option('seed', { type: 'number', default: 1, describe: 'Agent seed (simulated agents are deterministic by seed)' })
      .option('k', { type: 'number', default: 10, describe: 'Results per search' })
      .option('snippet-tokens', { type: 'number', default: 64, describe: 'Snippet length in tokens' })
      .option('snippet-tokenizer', { choices: ['whitespace', 'qwen3'] as const, default: 'whitespace' as const, describe: 'qwen3 = the official tool\'s tokenizer' })
      .option('base-url', { type: 'string', describe: 'openai agent: OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (key from OPENAI_API_KEY)' })
      .option('model', { type: 'string', describe: 'openai agent: model name' })
      .option('max-turns', { type: 'number', default: 30, describe: 'openai agent: model turns per question' })
      .option('concurrency', { type: 'number', default: 4, describe: 'openai agent: questions in flight' })
      .option('timeout', { type: 'number', default: 600, describe: 'openai agent: seconds per question' })
      .option('judge', { choices: ['em', 'llm'] as const, default: 'em' as const, describe: 'Answer judge: normalised exact match, or an LLM' })
      .option('judge-base-url', { type: 'string', describe: 'LLM judge endpoint' })
      .option('judge-model', { type: 'string', describe: 'LLM judge model (default: --model)' })
      .option('judge-cache', { type: 'string', describe: 'LLM judge verdict cache (JSON file)' })
      .option('out', { type: 'string', demandOption: true, describe: 'Output folder: trajectories.jsonl, results.csv, summary.json' })
      .option('quiet', { type: 'boolean', default: false, describe: 'No progress output' })
      .example('$0 collect --agents simulated:careful --split train --limit 100 --out runs/careful', 'Simulated trajectories over BM25 on multihop-wiki, ready for `lrat mine --format jsonl --trajectories runs/careful/trajectories.jsonl`')
      .example('$0 collect --agents openai --base-url http://127.0.0.1:8000/v1 --model qwen3-8b --index indexes/lrat --split test --out runs/qwen', 'A real LLM agent over a saved index') as unknown as Argv<CollectArgs>,
  handler: async (a) => {
    const outcome = await runCollect(a);
    process.stdout.write(formatCollectTable(outcome.agents));
    process.stdout.write(`trajectories: ${outcome.files.trajectories}\nresults: ${outcome.files.results}\nsummary: ${outcome.files.summary}\n`);
    if (outcome.agents.some((r) => r.simulated)) process.stdout.write('(simulated = a model of a search agent, not an LLM; see packages/agents/README.md)\n');
  },
};
