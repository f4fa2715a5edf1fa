import { createHash } from 'crypto';
import { createReadStream } from 'fs';
import * as readline from 'readline';
import type { LratSample } from '@lrat/core';
import type { TrainingSample } from './groups';

export interface PairsReadOptions {
  /** Use `reweight_rate` as the sample weight (default); false = every weight 1 (unweighted ablation). */
  weighted?: boolean;
  /**
   * Keep rows whose `satisfied` is false (the no-judge ablation). By default they are skipped, as
   * the official pipeline trains "with judge" on the satisfied samples only; rows without the field
   * (plain FlagEmbedding data) are always kept.
   */
  includeUnsatisfied?: boolean;
  /** Filled while reading: rows kept and rows skipped as unsatisfied. */
  counts?: PairCounts;
  /**
   * Also return the LRAT fields `lrat mine` writes beside the training ones (pos_id, neg_id,
   * reasoning_len, satisfied), each required and checked: for callers that study the mined rows,
   * not only train on them (the bench reports and ablates what `lrat mine` wrote).
   */
  lratFields?: boolean;
}

/** Options asking for the LRAT fields: the samples then are complete LratSamples. */
export type LratPairsReadOptions = PairsReadOptions & { lratFields: true };

export interface PairCounts {
  used: number;
  skippedUnsatisfied: number;
  /** Rows that carried FlagEmbedding's optional `prompt`. */
  withPrompt: number;
}

function fail(where: string, field: string, problem: string): never {
  throw new Error(`${where}: field "${field}" ${problem}`);
}

function stringList(value: unknown, where: string, field: string): string[] {
  if (!Array.isArray(value)) fail(where, field, `must be an array of strings, got ${value === null ? 'null' : typeof value}`);
  value.forEach((v, i) => {
    if (typeof v !== 'string') fail(where, `${field}[${i}]`, `must be a string, got ${v === null ? 'null' : typeof v}`);
  });
  return value as string[];
}

/**
 * Validates one FlagEmbedding training record (`query`, `pos`, `neg`, optional `reweight_rate`,
 * `satisfied` and `prompt`; the other fields `lrat mine` writes are ignored). `where` ("file:line")
 * prefixes every error. A `prompt` is put in front of the query, as FlagEmbedding's default
 * `query_instruction_format` ("{}{}") does with it.
 */
export function parsePairRecord(record: unknown, where: string, options: LratPairsReadOptions): LratSample;
export function parsePairRecord(record: unknown, where: string, options?: PairsReadOptions): TrainingSample;
export function parsePairRecord(record: unknown, where: string, options: PairsReadOptions = {}): TrainingSample {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new Error(`${where}: expected a JSON object with query, pos, neg`);
  }
  const r = record as Record<string, unknown>;
  if (typeof r.query !== 'string') fail(where, 'query', r.query === undefined ? 'is missing' : 'must be a string');
  if (r.prompt !== undefined && r.prompt !== null && typeof r.prompt !== 'string') fail(where, 'prompt', 'must be a string');
  if (r.satisfied !== undefined && r.satisfied !== null && typeof r.satisfied !== 'boolean') fail(where, 'satisfied', `must be true or false, got ${JSON.stringify(r.satisfied)}`);
  if (r.pos === undefined) fail(where, 'pos', 'is missing');
  const pos = stringList(r.pos, where, 'pos');
  if (pos.length === 0) fail(where, 'pos', 'must hold at least one passage');
  const neg = r.neg === undefined || r.neg === null ? [] : stringList(r.neg, where, 'neg');
  let weight = 1;
  if (options.weighted !== false && r.reweight_rate !== undefined && r.reweight_rate !== null) {
    if (typeof r.reweight_rate !== 'number' || !Number.isFinite(r.reweight_rate) || r.reweight_rate < 0) {
      // String(), not JSON.stringify: an overflowing 1e999 is Infinity, which JSON would print as null.
      fail(where, 'reweight_rate', `must be a finite number ≥ 0, got ${typeof r.reweight_rate === 'number' ? String(r.reweight_rate) : JSON.stringify(r.reweight_rate)}`);
    }
    weight = r.reweight_rate;
  }
  const query = typeof r.prompt === 'string' ? r.prompt + r.query : r.query;
  return options.lratFields ? { query, pos, neg, reweight_rate: weight, ...lratFields(r, where) } : { query, pos, neg, reweight_rate: weight };
}

function lratFields(r: Record<string, unknown>, where: string): Pick<LratSample, 'pos_id' | 'neg_id' | 'reasoning_len' | 'satisfied'> {
  for (const f of ['pos_id', 'neg_id', 'reasoning_len', 'satisfied']) if (r[f] === undefined) fail(where, f, 'is missing (not a row `lrat mine` wrote?)');
  const len = r.reasoning_len;
  if (len !== null && !(typeof len === 'number' && Number.isInteger(len) && len >= 0)) fail(where, 'reasoning_len', `must be a whole number ≥ 0 or null, got ${JSON.stringify(len)}`);
  if (typeof r.satisfied !== 'boolean') fail(where, 'satisfied', `must be true or false, got ${JSON.stringify(r.satisfied)}`);
  return { pos_id: stringList(r.pos_id, where, 'pos_id'), neg_id: stringList(r.neg_id, where, 'neg_id'), reasoning_len: len, satisfied: r.satisfied };
}

/** Whether a record is kept under the satisfied-only rule (see PairsReadOptions.includeUnsatisfied). */
function keptBySatisfied(record: unknown, options: PairsReadOptions): boolean {
  if (options.includeUnsatisfied) return true;
  return !(record && typeof record === 'object' && (record as { satisfied?: unknown }).satisfied === false);
}

/** Streams samples from a FlagEmbedding JSONL file; blank lines and unsatisfied rows are skipped; errors name file:line. */
export function readPairs(file: string, options: LratPairsReadOptions): AsyncGenerator<LratSample>;
export function readPairs(file: string, options?: PairsReadOptions): AsyncGenerator<TrainingSample>;
export async function* readPairs(file: string, options: PairsReadOptions = {}): AsyncGenerator<TrainingSample> {
  const rl = readline.createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (err) {
      throw new Error(`${file}:${line}: invalid JSON (${(err as Error).message})`);
    }
    const sample = parsePairRecord(record, `${file}:${line}`, options);
    const counts = options.counts;
    if (!keptBySatisfied(record, options)) {
      if (counts) counts.skippedUnsatisfied++;
      continue;
    }
    if (counts) {
      counts.used++;
      if (typeof (record as { prompt?: unknown }).prompt === 'string') counts.withPrompt++;
    }
    yield sample;
  }
}

export function loadPairs(file: string, options: LratPairsReadOptions): Promise<LratSample[]>;
export function loadPairs(file: string, options?: PairsReadOptions): Promise<TrainingSample[]>;
export async function loadPairs(file: string, options: PairsReadOptions = {}): Promise<TrainingSample[]> {
  const out: TrainingSample[] = [];
  for await (const s of readPairs(file, options)) out.push(s);
  return out;
}

/** Refuses a training set in which every weight is 0: the weighted loss would be 0 and nothing would be learnt. */
export function checkSampleWeights(samples: readonly TrainingSample[], where: string): void {
  if (samples.length > 0 && samples.every((s) => s.reweight_rate === 0)) {
    throw new Error(`${where}: every one of the ${samples.length} samples has weight 0 (reweight_rate), so the weighted loss is 0 and training would learn nothing; check how the pairs were weighted, or train unweighted`);
  }
}

/** sha256 of the samples' content (query, passages, weight), so a resume can tell the same data from other data of the same size. */
export function samplesDigest(samples: readonly TrainingSample[]): string {
  const h = createHash('sha256');
  for (const s of samples) h.update(JSON.stringify([s.query, s.pos, s.neg, s.reweight_rate])).update('\n');
  return h.digest('hex');
}
