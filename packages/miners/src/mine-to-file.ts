import { promises as fsp } from 'fs';
import { availableParallelism } from 'os';
import * as path from 'path';
import { writeFileAtomic } from '@lrat/core';
import {
  jsonlLines, listTrajectoryFiles, readsAsLines, readTrajectories, TrajectoryInputError, type TrajectoryFormat,
} from '@lrat/trajectory';
import { reasoningLengthScheme, schemeByName, type WeightStats } from '@lrat/weighting';
import { loadMinerCorpus } from './corpus';
import { createJudge, LlmJudge, RecordingJudge, type Judge, type JudgeSpec, type Verdict } from './judges';
import { mineAll } from './mine-all';
import { failureResult, resultError, type ItemResult } from './mine-item';
import { IssueTally } from './issue-tally';
import { sampleJsonPrefix } from './sample-json';
import { removeStaleTemps, WeightedSampleWriter } from './sample-writer';
import { createTokenizer, type TokenizerName } from './tokenizers';
import { runWorkerPool } from './worker-pool';
import { ZeroYieldTracker } from './yield-check';

// The one mining entry point, what `lrat mine` and the bench both call: read → mine → weight → write
// atomically, on worker threads for synchronous judges (replay, none, rule) and in-process with
// bounded concurrency for the LLM judge or a given judge instance. Samples are spooled to disk, never
// held in memory; whoever wants them reads the written file back.

export interface MineToFileOptions {
  trajectories: string[];
  format?: TrajectoryFormat;
  strict?: boolean;
  corpus: string;
  judge: JudgeSpec;
  /** A ready judge instance (e.g. a test double); mining then runs in-process and `judge` is ignored. */
  judgeInstance?: Judge;
  /** null: no tokenizer (reasoning_len null, weights 1.0). */
  tokenizer: TokenizerName | null;
  out: string;
  satisfiedOnly?: boolean;
  /** Weighting scheme name (reasoning-length, uniform, linear-capped[:cap]); default the official one. */
  weighting?: string;
  stats?: string;
  saveVerdicts?: string;
  /** Worker threads for synchronous judges (default: available cores; 0 = in-process). */
  workers?: number;
  /** Trajectories judged concurrently in-process (LLM judge). */
  concurrency?: number;
  onProgress?: (p: { files: number; totalFiles: number; trajectories: number; samples: number }) => void;
  /** Each skipped file, dropped trajectory or truncated line, as it happens. */
  onIssue?: (e: TrajectoryInputError) => void;
  onStage?: (stage: string) => void;
  /** Something the user should know that does not stop the run: unrecognised judge replies, files that browse but yield nothing. */
  onWarning?: (message: string) => void;
}

export interface MineSummary {
  files: number;
  /** Trajectories mined (including those that yielded no sample). */
  trajectories: number;
  skipped: number;
  dropped: number;
  truncated: number;
  samples: number;
  written: number;
  /**
   * Samples not written because their negative list is empty (a browse whose search showed nothing
   * else): upstream FlagEmbedding's loader divides by len(neg) and crashes on them. They still count
   * in the weighting, which is computed over every mined sample.
   */
  withoutNegatives: number;
  /** Why files yielded nothing (also passed to onWarning). */
  warnings: string[];
  stats: WeightStats;
  seconds: number;
  workers: number;
}

async function* fileTasks(files: string[], format: TrajectoryFormat, batch: number) {
  let pending: string[] = [];
  for (const file of files) {
    if (readsAsLines(file, format)) {
      if (pending.length) yield { kind: 'files' as const, files: pending };
      pending = [];
      let lines: { line: number; bytes: Uint8Array; complete: boolean; unreadable?: string }[] = [];
      for await (const l of jsonlLines(file)) {
        lines.push({ line: l.line, bytes: new Uint8Array(l.bytes), complete: l.complete, ...(l.unreadable !== undefined ? { unreadable: l.unreadable } : {}) });
        if (lines.length >= batch * 4) {
          yield { kind: 'lines' as const, file, lines };
          lines = [];
        }
      }
      if (lines.length) yield { kind: 'lines' as const, file, lines };
    } else {
      pending.push(file);
      if (pending.length >= batch) {
        yield { kind: 'files' as const, files: pending };
        pending = [];
      }
    }
  }
  if (pending.length) yield { kind: 'files' as const, files: pending };
}

export async function mineToFile(o: MineToFileOptions): Promise<MineSummary> {
  const t0 = process.hrtime.bigint();
  const format = o.format ?? 'auto';
  const files = await listTrajectoryFiles(o.trajectories);
  for (const f of [o.out, o.stats, o.saveVerdicts]) if (f) await removeStaleTemps(f);
  if (files.length === 0) throw new Error(`no trajectory files in ${o.trajectories.join(', ')}; ${o.out} left untouched`);
  // The spool is opened beside the output before anything is written, so its folder must exist first.
  await fsp.mkdir(path.dirname(path.resolve(o.out)), { recursive: true });
  const scheme = o.weighting === undefined ? reasoningLengthScheme : schemeByName(o.weighting);
  const sync = o.judge.kind !== 'llm' && !o.judgeInstance;
  const workers = sync ? Math.max(0, o.workers ?? Math.min(availableParallelism(), 8)) : 0;
  const writer = new WeightedSampleWriter(o.out, { satisfiedOnly: o.satisfiedOnly, scheme });
  const verdicts = new Map<string, Verdict>();
  const tally = new IssueTally(o);
  const counts = tally.counts;
  const yieldCheck = new ZeroYieldTracker();
  // Progress counts files as their first item arrives (results come in file order).
  let filesSeen = 0;
  let lastFile = '';

  const take = async (r: ItemResult): Promise<void> => {
    if (r.file !== lastFile) {
      lastFile = r.file;
      filesSeen++;
    }
    if (!r.ok) {
      tally.issue(resultError(r));
      return;
    }
    tally.mined();
    yieldCheck.add(r.file, r.shape, r.prefixes.length);
    for (let i = 0; i < r.prefixes.length; i++) await writer.add(r.prefixes[i], r.lens[i], r.sat[i], r.negs[i]);
    o.onProgress?.({ files: filesSeen, totalFiles: files.length, trajectories: counts.trajectories, samples: writer.count });
  };

  try {
    if (workers > 0) {
      o.onStage?.(`mining on ${workers} worker threads`);
      const init = { format, corpusPath: o.corpus, judge: o.judge, tokenizer: o.tokenizer, record: !!o.saveVerdicts };
      for await (const res of runWorkerPool(init, fileTasks(files, format, 16), workers)) {
        for (const [k, v] of res.verdicts ?? []) verdicts.set(k, v ? 'RELEVANT' : 'NOT_RELEVANT');
        for (const item of res.items) await take(item);
      }
    } else {
      o.onStage?.('loading corpus');
      const corpus = await loadMinerCorpus(o.corpus);
      const tokenizer = o.tokenizer ? await createTokenizer(o.tokenizer) : null;
      const inner = o.judgeInstance ?? createJudge(o.judge);
      const judge = o.saveVerdicts ? new RecordingJudge(inner) : inner;
      o.onStage?.('mining');
      try {
        const items = readTrajectories(o.trajectories, { format });
        for await (const m of mineAll(items, { judge, tokenizer, corpus, concurrency: o.concurrency })) {
          if (!m.ok) {
            await take(failureResult(m.error));
            continue;
          }
          const src = m.source ?? { file: m.trajectoryId };
          const r: ItemResult = {
            ok: true,
            file: src.file,
            prefixes: m.samples.map(sampleJsonPrefix),
            lens: m.samples.map((s) => s.reasoning_len),
            sat: m.samples.map((s) => s.satisfied),
            negs: m.samples.map((s) => s.neg_id.length),
            shape: m.shape,
          };
          await take(r);
        }
      } finally {
        if (judge instanceof RecordingJudge) for (const [k, v] of judge.verdicts) verdicts.set(k, v);
        const warning = inner instanceof LlmJudge ? inner.unrecognisedWarning() : null;
        if (warning) o.onWarning?.(warning);
        await judge.close?.();
      }
    }
    if (counts.trajectories === 0) {
      throw new Error(
        `none of the ${files.length} files held a usable trajectory (${counts.skipped} skipped, ${counts.dropped} dropped, ${counts.truncated} truncated lines); ` +
          `check --format and the files; ${o.out} left untouched`,
      );
    }
    o.onStage?.('weighting and writing');
    const res = await writer.finish();
    if (o.saveVerdicts) await writeFileAtomic(o.saveVerdicts, [...verdicts].map(([k, v]) => JSON.stringify({ reasoning_sha256: k, verdict: v }) + '\n').join(''));
    const warnings = yieldCheck.warnings();
    for (const w of warnings) o.onWarning?.(w);
    const summary: MineSummary = {
      ...counts,
      files: files.length,
      samples: res.samples,
      written: res.written,
      withoutNegatives: res.withoutNegatives,
      warnings,
      stats: res.stats,
      seconds: Number(process.hrtime.bigint() - t0) / 1e9,
      workers,
    };
    if (o.stats) await writeFileAtomic(o.stats, JSON.stringify(summary, null, 2) + '\n');
    return summary;
  } catch (e) {
    await writer.abort();
    throw e;
  }
}
