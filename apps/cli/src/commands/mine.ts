import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { JUDGE_NAMES, mineToFile, TOKENIZER_NAMES, type JudgeName, type JudgeSpec, type MineSummary, type TokenizerName } from '@lrat/miners';
import { TRAJECTORY_FORMATS, type TrajectoryFormat } from '@lrat/trajectory';
import { createProgress } from '@lrat/core';

// `lrat mine`: agent trajectories → weighted training pairs, exactly as the official LRAT builder.

export interface MineArgs {
  trajectories: string[];
  format: TrajectoryFormat;
  corpus: string;
  judge: JudgeName;
  verdicts?: string;
  judgeBaseUrl?: string;
  judgeModel?: string;
  judgeCache?: string;
  judgeConcurrency: number;
  judgeRetries: number;
  judgeTimeout: number;
  tokenizer: TokenizerName | 'none';
  satisfiedOnly: boolean;
  weighting: string;
  out: string;
  stats?: string;
  saveVerdicts?: string;
  strict: boolean;
  workers?: number;
  quiet: boolean;
}

export function judgeSpecFromArgs(a: MineArgs): JudgeSpec {
  if (a.judge === 'replay') {
    if (!a.verdicts) throw new Error('--judge replay needs --verdicts <file.jsonl>');
    return { kind: 'replay', verdicts: a.verdicts };
  }
  if (a.judge === 'llm') {
    if (!a.judgeBaseUrl) throw new Error('--judge llm needs --judge-base-url (e.g. http://127.0.0.1:8000/v1)');
    return {
      kind: 'llm',
      llm: {
        baseUrl: a.judgeBaseUrl,
        model: a.judgeModel ?? 'auto',
        cacheDir: a.judgeCache,
        concurrency: a.judgeConcurrency,
        maxAttempts: a.judgeRetries,
        timeoutMs: a.judgeTimeout * 1000,
      },
    };
  }
  return { kind: a.judge };
}

export async function runMine(a: MineArgs, say: (line: string) => void = (l) => process.stderr.write(`lrat mine: ${l}\n`)): Promise<MineSummary> {
  const spec = judgeSpecFromArgs(a);
  let progress: ReturnType<typeof createProgress> | undefined;
  let issues = 0;
  const summary = await mineToFile({
    trajectories: a.trajectories,
    format: a.format,
    strict: a.strict,
    corpus: a.corpus,
    judge: spec,
    tokenizer: a.tokenizer === 'none' ? null : a.tokenizer,
    out: path.resolve(a.out),
    satisfiedOnly: a.satisfiedOnly,
    weighting: a.weighting,
    stats: a.stats,
    saveVerdicts: a.saveVerdicts,
    workers: a.workers,
    onStage: (s) => {
      if (!a.quiet) say(s);
    },
    onProgress: (p) => {
      if (a.quiet) return;
      progress ??= createProgress({ label: 'mining', total: p.totalFiles });
      progress.update(p.files, `${p.trajectories} trajectories, ${p.samples} samples`);
    },
    onWarning: (w) => say(`warning: ${w}`),
    onIssue: (e) => {
      issues++;
      if (!a.quiet || issues <= 20) say(e.message);
    },
  });
  progress?.stop();
  const s = summary.stats;
  say(
    `${summary.files} files: ${summary.trajectories} trajectories mined, ${summary.skipped} skipped, ${summary.dropped} dropped, ` +
      `${summary.truncated} truncated lines; ${summary.samples} samples (${s.satisfied} satisfied), ${summary.written} written to ${a.out}` +
      `${summary.withoutNegatives ? ` (${summary.withoutNegatives} without any negative not written: FlagEmbedding cannot load them)` : ''}; ` +
      `β=${s.beta} mean raw weight=${s.meanRawWeight} in ${summary.seconds.toFixed(2)} s${summary.workers ? ` on ${summary.workers} workers` : ''}`,
  );
  return summary;
}

export const mineCommand: CommandModule<object, MineArgs> = {
  command: 'mine',
  describe: 'Mine agent trajectories into weighted retriever training pairs (the official LRAT builder, exactly)',
  builder: (y: Argv<object>) =>
    y
      .option('trajectories', { type: 'string', array: true, demandOption: true, describe: 'Trajectory files or directories (directories: every file inside, sorted by name)' })
      .option('format', {
        choices: TRAJECTORY_FORMATS,
        default: 'auto' as TrajectoryFormat,
        describe:
          'auto: detect per file; lrat: official LRAT/Tongyi files, read exactly as the official builder; browsecomp-plus: BrowseComp-Plus run files; openai: chat logs; jsonl: normalised trajectories',
      })
      .option('corpus', { type: 'string', demandOption: true, describe: 'Corpus JSONL: {docid,text} or BEIR {_id,title,text}' })
      .option('judge', { choices: JUDGE_NAMES, default: 'llm' as JudgeName, describe: 'Relevance judge of post-browse reasoning' })
      .option('verdicts', { type: 'string', describe: 'replay judge: JSONL of {"reasoning_sha256","verdict"}' })
      .option('judge-base-url', { type: 'string', describe: 'llm judge: OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 (key from OPENAI_API_KEY)' })
      .option('judge-model', { type: 'string', describe: 'llm judge: model name', default: 'auto' })
      .option('judge-cache', { type: 'string', describe: 'llm judge: verdict cache directory (re-runs never pay twice)' })
      .option('judge-concurrency', { type: 'number', default: 8, describe: 'llm judge: requests in flight' })
      .option('judge-retries', { type: 'number', default: 8, describe: 'llm judge: attempts per text before failing the run' })
      .option('judge-timeout', { type: 'number', default: 120, describe: 'llm judge: seconds per request' })
      .option('tokenizer', { choices: [...TOKENIZER_NAMES, 'none'] as const, default: 'qwen3' as TokenizerName | 'none', describe: 'Reasoning-length tokenizer' })
      .option('satisfied-only', {
        type: 'boolean',
        default: false,
        describe: 'Write only samples the judge called RELEVANT (weights still over all; `lrat train` keeps only these anyway)',
      })
      .option('weighting', { type: 'string', default: 'reasoning-length', describe: 'reasoning-length (official), uniform, linear-capped[:cap]' })
      .option('out', { type: 'string', demandOption: true, describe: 'Output JSONL (written to a temp file, renamed when complete)' })
      .option('stats', { type: 'string', describe: 'Write a JSON summary (counts, β, length/weight/negative distributions)' })
      .option('save-verdicts', { type: 'string', describe: 'Write the verdicts obtained as replay JSONL' })
      .option('strict', { type: 'boolean', default: false, describe: 'Stop at the first broken trajectory instead of skipping it' })
      .option('workers', { type: 'number', describe: 'Worker threads for replay/none/rule judges (default: cores; 0 = in-process)' })
      .option('quiet', { type: 'boolean', default: false, describe: 'Only the summary line' })
      .example(
        '$0 mine --format lrat --trajectories data/lrat-examples/trajectories --corpus data/lrat-examples/parity/corpus.jsonl --judge replay --verdicts data/lrat-examples/parity/verdicts.jsonl --tokenizer whitespace --out pairs.jsonl',
        'Reproduce the official builder on the shipped examples',
      )
      .example('$0 mine --trajectories runs/ --corpus corpus.jsonl --judge llm --judge-base-url http://127.0.0.1:8000/v1 --judge-cache .judge --out pairs.jsonl --stats stats.json', 'Mine with an LLM judge and a verdict cache')
      .example('$0 mine --trajectories bcp/runs/qwen3-embed-8b/gpt-5 --corpus bcp-corpus.jsonl --judge llm --judge-base-url http://127.0.0.1:8000/v1 --out pairs.jsonl', 'Mine BrowseComp-Plus run files (detected automatically)')
      .epilog(
        [
          'BrowseComp-Plus run files (texttron/BrowseComp-Plus search_agent/): read with JSON search results, {text} reasoning parts joined with single spaces, string or list queries and their tool names, from',
          'openai_client, openai_client_with_mcp, anthropic_client, gemini_client, qwen_client and oss_client (local_knowledge_base_retrieval). Their runs browse only when the client ran with --get-document.',
          'Their search_r1_client and tongyi_client write search outputs without doc ids ("Doc 1(Title: …)" and "[title]" blocks), so their files yield no sample.',
          'Rows whose negative list would be empty are not written: upstream FlagEmbedding cannot load "neg": [] (they still count in the weights); files that browse but yield nothing are named in a warning.',
        ].join('\n'),
      ) as unknown as Argv<MineArgs>,
  handler: async (a) => {
    await runMine(a);
  },
};
