import * as fs from 'fs';
import * as path from 'path';
import { createOpenAIAgent, createReaderAgent, createReplayAgent, createSimulatedAgent, SIMULATED_PROFILES, type Agent } from '@lrat/agents';
import { createLlmAnswerJudge, exactMatchJudge, tokenF1Judge, type AnswerJudge } from '@lrat/evaluation';
import { createJudge, createTokenizer, mineToFile, type Judge, type LratSample } from '@lrat/miners';
import { createEncoder, loadEncoder, loadPairs, selectBackend, trainOnThread, type EncoderKind, type EncoderOptions } from '@lrat/trainer';
import { readTrajectories, writeTrajectoriesJsonl, type DocumentStore, type Trajectory, type TrajectoryInputError } from '@lrat/trajectory';
import type { BenchOptions } from './options';
import { wiseFtLabel, workspaceRoot } from './options';
import { bm25Searcher, flatDenseSearcher, hybridSearcher } from './stack-common';
import { clickSamples } from './click-samples';
import type { AgentSettings, BenchEncoder, MineFiles, MineResult, ProgressFn, TrainResult, TrainSettings } from './stack';
import type { Doc as CorpusDoc } from '@lrat/core';

// The stack the jobs run on: @lrat/agents (judged by @lrat/evaluation), @lrat/miners (official miner, rule or LLM judge,
// Qwen3 token counts), @lrat/weighting, @lrat/trainer (tfjs on the best available backend) and
// @lrat/indexer (exact FAISS index, BM25).

function packageVersion(dir: string): string {
  try {
    return (JSON.parse(fs.readFileSync(path.join(workspaceRoot(), dir, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** What the jobs run on (see createRealStack). */
export type BenchStack = Awaited<ReturnType<typeof createRealStack>>;

/** Every trajectory of a file or folder (any format @lrat/trajectory reads); the first bad one throws. */
async function loadTrajectories(file: string): Promise<Trajectory[]> {
  const out: Trajectory[] = [];
  for await (const item of readTrajectories([file], { strict: true })) if (item.ok) out.push(item.trajectory);
  if (out.length === 0) throw new Error(`replay agent: no trajectories in ${file}`);
  return out;
}

export async function createAgents(specs: readonly string[], settings: AgentSettings, documents: DocumentStore): Promise<Agent[]> {
  const agents: Agent[] = [];
  for (const spec of specs) {
    if (spec.startsWith('replay:')) {
      const file = spec.slice('replay:'.length);
      agents.push(createReplayAgent({ trajectories: await loadTrajectories(file), name: `replay:${path.basename(file)}` }));
    } else agents.push(createAgent(spec, settings, documents));
  }
  return agents;
}

/**
 * `reader` / `simulated:reader`: the text-only simulated agent. `oracle:<profile>` (also the legacy
 * `<profile>` and `simulated:<profile>`): the calibrated profiles that read the qrels, named
 * `oracle:<profile>` in every report so nobody mistakes them for agents that only read text.
 */
function createAgent(spec: string, settings: AgentSettings, documents: DocumentStore): Agent {
  const [kind, arg] = spec.includes(':') ? [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)] : [spec, ''];
  if (spec === 'reader' || spec === 'simulated:reader') return createReaderAgent();
  const oracle = kind === 'oracle' || kind === 'simulated' ? arg : SIMULATED_PROFILES[spec] ? spec : undefined;
  if (oracle !== undefined) return createSimulatedAgent({ profile: oracle, documents, name: `oracle:${oracle}` });
  if (kind === 'openai') {
    const model = arg || settings.model;
    if (!settings.baseUrl || !model) throw new Error(`agent "${spec}" needs --base-url and --model (or openai:<model>)`);
    return createOpenAIAgent({ baseUrl: settings.baseUrl, model });
  }
  throw new Error(`unknown agent "${spec}": use reader, oracle:<profile> (${Object.keys(SIMULATED_PROFILES).join(', ')}), openai, openai:<model> or replay:<trajectories file>`);
}

/** The answer judge `--answer-judge` names; the LLM one only ever at the judges' own endpoint. */
function createAnswerJudge(options: BenchOptions): AnswerJudge {
  if (options.answerJudge === 'f1') return tokenF1Judge(0.5);
  if (options.answerJudge === 'llm') {
    if (!options.judgeBaseUrl || !options.judgeModel) throw new Error('--answer-judge llm needs --judge-base-url and --judge-model');
    return createLlmAnswerJudge({ client: { baseUrl: options.judgeBaseUrl, model: options.judgeModel }, cacheFile: path.join(options.cacheDir, 'answer-judge', 'verdicts.json') });
  }
  return exactMatchJudge;
}

/**
 * The options @lrat/trainer's createEncoder gets for a study: the cache, and the pretrained folder
 * when `--retriever DIR` is given (a Hugging Face / sentence-transformers folder or an `lrat train`
 * output, loaded by the transformer encoder from `model`).
 */
function encoderOptions(options: BenchOptions, retrieverDir?: string): Record<string, unknown> {
  return { cacheDir: options.cacheDir, ...(retrieverDir ? { model: retrieverDir } : {}), ...(options.trainSides && !retrieverDir ? { trainSides: options.trainSides } : {}) };
}

/** What the base encoder of a study is, in a report's words. */
function baseDescription(kind: string, retrieverDir: string | undefined, trainSides: string | undefined): string {
  if (retrieverDir) return `pretrained ${kind} from ${retrieverDir}`;
  if (kind === 'use-adapter') return `pretrained USE-lite (frozen) with identity adapters${trainSides && trainSides !== 'both' ? `, ${trainSides} side trained` : ''}`;
  if (kind === 'use') return trainSides === 'query' ? 'pretrained USE-lite, query tower trainable (documents keep the frozen model’s vectors)' : 'pretrained USE-lite, every weight trainable';
  return `untrained ${kind} encoder`;
}

export async function createRealStack(options: BenchOptions) {
  const backend = await selectBackend({ log: () => undefined });
  const tokenizer = await createTokenizer('qwen3');
  const versions: Record<string, string> = {
    node: process.version,
    tfjs_backend: `${backend.name} (${backend.reason})`,
    reasoning_tokenizer: tokenizer.name,
  };
  for (const p of ['agents', 'evaluation', 'report', 'miners', 'weighting', 'trainer', 'indexer', 'trajectory']) versions[`@lrat/${p}`] = packageVersion(path.join('packages', p));
  const judges = new Map<string, Judge>();
  const judgeFor = (kind: 'rule' | 'llm' | 'none'): Judge => {
    let j = judges.get(kind);
    if (!j) {
      // The mining judge has its own endpoint: the agent never grades its own browses unannounced.
      if (kind === 'llm' && !(options.judgeBaseUrl && options.judgeModel)) throw new Error('--judge llm needs --judge-base-url and --judge-model');
      j =
        kind === 'llm'
          ? createJudge({ kind, llm: { baseUrl: options.judgeBaseUrl ?? '', model: options.judgeModel ?? '', cacheDir: path.join(options.cacheDir, 'judge') } })
          : createJudge({ kind });
      judges.set(kind, j);
    }
    return j;
  };

  const answerJudge = createAnswerJudge(options);

  return {
    /** Package versions and the compute backend, for provenance. */
    versions: () => versions,
    /** Judge of every agent's final answers, as `--answer-judge` says (em, f1, or an LLM at --judge-base-url). */
    answerJudge: () => answerJudge,
    /** The pretrained encoder the study starts from: `--encoder` kind, or the `--retriever` folder when given. */
    async baseEncoder(kind: string, retrieverDir?: string): Promise<BenchEncoder> {
      // A retriever folder is always the transformer encoder, whatever --encoder says.
      const encoder = await createEncoder((retrieverDir ? 'transformer' : kind) as EncoderKind, encoderOptions(options, retrieverDir) as Parameters<typeof createEncoder>[1]);
      return { encoder, description: `${baseDescription(kind, retrieverDir, options.trainSides)} = the base model` };
    },
    /** An exact dense index of the corpus under an encoder. */
    denseSearcher: (e: BenchEncoder, corpus: readonly CorpusDoc[], onProgress?: ProgressFn) => flatDenseSearcher(e.encoder, corpus, onProgress),
    bm25Searcher,
    /** BM25 fused with a dense searcher (reciprocal-rank fusion). */
    hybridSearcher,
    /** Agents for the specs (`reader`, `oracle:careful`, ...) over one corpus; throws naming an unknown spec. */
    agents: createAgents,
    /**
     * `lrat mine` itself (@lrat/miners' mineToFile) on the trajectories, kept as a file people can open:
     * official miner, the judge, Qwen3 reasoning lengths and reweight_rate over every mined sample,
     * texts from the dataset's corpus file (title + " " + text: what the dense index embeds, so the
     * trainer's passages are the indexed documents). The rows come back through `lrat train`'s
     * reader. A trajectory the miner cannot read is reported and dropped; a judge outage stops the run.
     */
    async mine(trajectories: readonly Trajectory[], corpusFile: string, judge: 'rule' | 'llm' | 'none', files: MineFiles): Promise<MineResult> {
      const j = judgeFor(judge);
      const paths = {
        trajectories: path.join(files.dir, 'trajectories', `${files.name}.jsonl`),
        samples: path.join(files.dir, 'mined', `${files.name}.jsonl`),
        stats: path.join(files.dir, 'mined', `${files.name}.stats.json`),
      };
      await writeTrajectoriesJsonl(paths.trajectories, trajectories);
      const issues: TrajectoryInputError[] = [];
      const summary = await mineToFile({
        trajectories: [paths.trajectories],
        format: 'jsonl',
        corpus: corpusFile,
        judge: { kind: judge },
        // The run's one LLM judge (in-process): its verdict cache and counters span every mining pass.
        ...(judge === 'llm' ? { judgeInstance: j } : {}),
        tokenizer: 'qwen3',
        // In-process: a study's few hundred trajectories mine faster on this thread, whose Qwen3
        // tokenizer is already loaded, than on fresh workers that each load it and the corpus
        // (840 trajectories: 5.0 s in-process vs 6.2 s on 2 workers, same file).
        workers: 0,
        out: paths.samples,
        stats: paths.stats,
        onIssue: (e) => issues.push(e),
      });
      // Every row for the ablation's variants, read once; the satisfied ones (what `lrat train` keeps:
      // with lratFields every row's `satisfied` is a checked boolean) to train on.
      const rows = await loadPairs(paths.samples, { includeUnsatisfied: true, lratFields: true });
      const samples = rows.filter((r) => r.satisfied);
      return { rows, samples, summary, issues, judge: j.name, files: paths };
    },
    /** Click-model logs on the same result lists, mined the human way (clicked = pos, skipped = neg). */
    clickSamples,
    /**
     * Trains a fresh copy of the base encoder on the samples as they are, on a thread of its own (so a
     * study can train one retriever while it trains another or runs agents: one core each); model
     * files go to `settings.outDir`, and the trained encoder is loaded back from them.
     */
    async train(base: BenchEncoder, samples: readonly LratSample[], settings: TrainSettings): Promise<TrainResult> {
      const encoderOptions = { ...(base.encoder.config() as EncoderOptions), cacheDir: options.cacheDir };
      const result = await trainOnThread({
        pairs: samples,
        encoder: { kind: base.encoder.kind, options: encoderOptions },
        outDir: settings.outDir,
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        ...(settings.lr === undefined ? {} : { lr: settings.lr }),
        ...(settings.temperature === undefined ? {} : { temperature: settings.temperature }),
        ...(settings.groupSize === undefined ? {} : { groupSize: settings.groupSize }),
        ...(settings.wiseFt === undefined ? {} : { wiseFtAlpha: settings.wiseFt }),
        seed: settings.seed,
        weighted: settings.weighted,
        ...(settings.maxSteps === undefined ? {} : { maxSteps: settings.maxSteps }),
        backend: backend.name,
        onProgress: (p) => settings.onProgress?.(p.done, p.total, `${p.phase}${p.loss !== undefined ? ` loss ${p.loss.toFixed(3)}` : ''}`),
      });
      const encoder = await loadEncoder(result.modelDir, { cacheDir: options.cacheDir });
      return {
        encoder: { encoder, description: `${base.encoder.id} trained on ${samples.length} samples (${settings.weighted ? 'weighted' : 'unweighted'} InfoNCE, ${settings.epochs} epochs, ${result.steps} steps on ${result.backend}${wiseFtLabel(settings.wiseFt)}); model in ${path.relative(process.cwd(), result.modelDir) || '.'}` },
        steps: result.steps,
        seconds: result.seconds,
        backend: result.backend,
        finalLoss: result.lastLoss,
      };
    },
  };
}
