/**
 * What a sentence-transformers folder says about how to embed text, read from its files:
 * `modules.json` (Transformer → Pooling → Normalize), `1_Pooling/config.json` in both layouts (the
 * classic `pooling_mode_*_token(s)` booleans and the newer `pooling_mode: "cls"` string),
 * `sentence_bert_config.json` (`max_seq_length`, `do_lower_case`) and
 * `config_sentence_transformers.json` (`prompts`). A bare Hugging Face folder (config.json + weights +
 * tokenizer) gets the pooling the caller chooses, no normalisation.
 */
import { readJsonIfPresent } from './hf-config';
import * as path from 'path';
import type { PoolingMode } from './ops';

export interface StFolder {
  dir: string;
  /** Where config.json, the weights and the tokenizer live (the Transformer module's path). */
  transformerDir: string;
  /** True when the folder has modules.json (a sentence-transformers model). */
  sentenceTransformers: boolean;
  /** Pooling modes, concatenated in sentence-transformers' order. */
  pooling: PoolingMode[];
  normalize: boolean;
  /** sentence_bert_config.json's max_seq_length, else min(max_position_embeddings, tokenizer model_max_length). */
  maxSeqLength: number;
  doLowerCase: boolean;
  prompts: Record<string, string>;
  /** config_sentence_transformers.json as read (kept on export). */
  stConfig: Record<string, unknown> | null;
}

/** Sentence-transformers' concatenation order and the classic config key of each mode. */
const MODE_KEYS: ReadonlyArray<[PoolingMode, string]> = [
  ['cls', 'pooling_mode_cls_token'],
  ['max', 'pooling_mode_max_tokens'],
  ['mean', 'pooling_mode_mean_tokens'],
  ['mean_sqrt_len_tokens', 'pooling_mode_mean_sqrt_len_tokens'],
  ['weightedmean', 'pooling_mode_weightedmean_tokens'],
  ['lasttoken', 'pooling_mode_lasttoken'],
];

/** Pooling modes from a `1_Pooling/config.json`, either layout. */
export function parsePoolingConfig(cfg: Record<string, unknown>, file = '1_Pooling/config.json'): PoolingMode[] {
  if (cfg.include_prompt === false) throw new Error(`${file}: field "include_prompt" is false (prompt tokens excluded from pooling, INSTRUCTOR-style); not supported`);
  const mode = cfg.pooling_mode;
  if (mode !== undefined && mode !== null) {
    const wanted = Array.isArray(mode) ? mode.map(String) : typeof mode === 'string' ? mode.toLowerCase().split('+') : null;
    if (!wanted) throw new Error(`${file}: field "pooling_mode" must be a string such as "cls" or "mean", got ${JSON.stringify(mode)}`);
    for (const w of wanted) {
      if (!MODE_KEYS.some(([m]) => m === w)) throw new Error(`${file}: field "pooling_mode" has unknown mode ${JSON.stringify(w)} (expected one of ${MODE_KEYS.map(([m]) => m).join(', ')})`);
    }
    return MODE_KEYS.filter(([m]) => wanted.includes(m)).map(([m]) => m);
  }
  // Classic layout: booleans, with sentence-transformers' constructor defaults (mean on, the rest off).
  const modes = MODE_KEYS.filter(([, key]) => (cfg[key] === undefined ? key === 'pooling_mode_mean_tokens' : cfg[key] === true)).map(([m]) => m);
  if (modes.length === 0) throw new Error(`${file}: no pooling mode is enabled (set one of ${MODE_KEYS.map(([, k]) => k).join(', ')}, or "pooling_mode")`);
  return modes;
}

/** Reads a sentence-transformers or bare Hugging Face folder's embedding recipe. */
export async function readStFolder(dir: string, fallbackPooling: PoolingMode = 'cls'): Promise<StFolder> {
  const modulesFile = path.join(dir, 'modules.json');
  const modules = await readJsonIfPresent(modulesFile);
  let transformerDir = dir;
  let pooling: PoolingMode[] = [fallbackPooling];
  let normalize = false;
  if (modules) {
    if (!Array.isArray(modules)) throw new Error(`${modulesFile}: must be a JSON array of modules`);
    let sawTransformer = false;
    (modules as Array<Record<string, unknown>>).forEach((m, i) => {
      const type = typeof m.type === 'string' ? m.type : '';
      const kind = type.split('.').pop();
      const where = `${modulesFile}: module ${i} (${JSON.stringify(type)})`;
      if (i === 0 && kind !== 'Transformer') throw new Error(`${where}: the first module must be a Transformer`);
      if (kind === 'Transformer') {
        sawTransformer = true;
        transformerDir = path.join(dir, typeof m.path === 'string' ? m.path : '');
      } else if (kind === 'Pooling' || kind === 'Normalize') {
        // read below, in order
      } else {
        throw new Error(`${where}: unsupported module type; supported: Transformer, Pooling, Normalize`);
      }
    });
    if (!sawTransformer) throw new Error(`${modulesFile}: no Transformer module`);
    for (const m of modules as Array<Record<string, unknown>>) {
      const kind = String(m.type).split('.').pop();
      if (kind === 'Pooling') {
        const file = path.join(dir, String(m.path ?? ''), 'config.json');
        const cfg = await readJsonIfPresent(file);
        if (!cfg) throw new Error(`${file}: missing (modules.json lists a Pooling module at "${String(m.path)}")`);
        pooling = parsePoolingConfig(cfg, file);
      } else if (kind === 'Normalize') {
        normalize = true;
      }
    }
  }
  const sbFile = path.join(transformerDir, 'sentence_bert_config.json');
  const sb = (await readJsonIfPresent(sbFile)) ?? {};
  const hfConfig = (await readJsonIfPresent(path.join(transformerDir, 'config.json'))) ?? {};
  const tokConfig = (await readJsonIfPresent(path.join(transformerDir, 'tokenizer_config.json'))) ?? {};
  const maxPositions = typeof hfConfig.max_position_embeddings === 'number' ? hfConfig.max_position_embeddings : 512;
  let maxSeqLength: number;
  if (sb.max_seq_length !== undefined && sb.max_seq_length !== null) {
    if (!Number.isInteger(sb.max_seq_length) || (sb.max_seq_length as number) < 1) throw new Error(`${sbFile}: field "max_seq_length" must be a positive integer, got ${JSON.stringify(sb.max_seq_length)}`);
    maxSeqLength = sb.max_seq_length as number;
  } else {
    const modelMax = typeof tokConfig.model_max_length === 'number' ? tokConfig.model_max_length : Infinity;
    maxSeqLength = Math.min(maxPositions, modelMax);
  }
  const stFile = path.join(dir, 'config_sentence_transformers.json');
  const stConfig = await readJsonIfPresent(stFile);
  const prompts: Record<string, string> = {};
  if (stConfig?.prompts !== undefined && stConfig.prompts !== null) {
    if (typeof stConfig.prompts !== 'object') throw new Error(`${stFile}: field "prompts" must be an object of name → prefix`);
    for (const [k, v] of Object.entries(stConfig.prompts as Record<string, unknown>)) {
      if (typeof v !== 'string') throw new Error(`${stFile}: prompt "${k}" must be a string`);
      prompts[k] = v;
    }
  }
  return {
    dir,
    transformerDir,
    sentenceTransformers: modules !== null,
    pooling,
    normalize,
    maxSeqLength,
    doLowerCase: sb.do_lower_case === true,
    prompts,
    stConfig,
  };
}

/** The prompt sentence-transformers' encode_query / encode_document would use for a side. */
export function promptFor(prompts: Record<string, string>, side: 'query' | 'document'): string {
  if (side === 'query') return prompts.query ?? '';
  return prompts.document ?? prompts.passage ?? prompts.corpus ?? '';
}

/** 1_Pooling/config.json in the classic layout, which every sentence-transformers version reads. */
export function poolingConfigFor(dim: number, modes: readonly PoolingMode[]): Record<string, unknown> {
  const cfg: Record<string, unknown> = { word_embedding_dimension: dim };
  for (const [m, key] of MODE_KEYS) cfg[key] = modes.includes(m);
  cfg.include_prompt = true;
  return cfg;
}
