import { promises as fsp } from 'fs';
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { BACKEND_NAMES, loadEncoder, selectBackend } from '@lrat/trainer';
import { createProgress, writeFileAtomic, documentText, loadCorpus, loadQueries } from '@lrat/core';

// `lrat encode`: embed a corpus or query file with a trained model.

export interface EncodeArgs {
  model: string;
  input: string;
  out: string;
  side: 'query' | 'document';
  batchSize: number;
  format: 'auto' | 'jsonl' | 'text';
  pooling?: 'cls' | 'mean' | 'lasttoken';
  /** Override the model's query / document prompt (sentence-transformers `prompts`). */
  queryPrompt?: string;
  documentPrompt?: string;
  backend?: string;
  cacheDir?: string;
  quiet: boolean;
}

export interface EncodeSummary {
  count: number;
  dim: number;
  seconds: number;
  backend: string;
  files: { embeddings: string; ids: string; manifest: string };
}

/**
 * A plain-text input: one text per line, empty lines included (a final newline ends the last line,
 * it does not start an empty one); row ids are 1-based line numbers.
 */
export async function readTextLines(file: string): Promise<Array<{ id: string; text: string }>> {
  const content = await fsp.readFile(file, 'utf8');
  const lines = content.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '' && /\n$/.test(content)) lines.pop();
  if (content === '') lines.length = 0;
  return lines.map((text, i) => ({ id: String(i + 1), text }));
}

function inputFormat(a: Pick<EncodeArgs, 'format' | 'input'>): 'jsonl' | 'text' {
  if (a.format !== 'auto' && a.format !== undefined) return a.format;
  return /\.jsonl?$/i.test(a.input) ? 'jsonl' : 'text';
}

/**
 * Writes `embeddings.f32` (count × dim float32, little-endian, row-major), `ids.txt` (one id per row)
 * and `manifest.json` (model id/version, dim, side, backend) into `out`, each atomically.
 */
export async function runEncode(a: EncodeArgs, say: (line: string) => void = (l) => process.stderr.write(`lrat encode: ${l}\n`)): Promise<EncodeSummary> {
  const started = Date.now();
  const backend = await selectBackend({ prefer: a.backend, log: say });
  const prompts = { ...(a.queryPrompt !== undefined ? { queryPrefix: a.queryPrompt } : {}), ...(a.documentPrompt !== undefined ? { documentPrefix: a.documentPrompt } : {}) };
  const encoder = await loadEncoder(path.resolve(a.model), { ...(a.cacheDir ? { cacheDir: a.cacheDir } : {}), ...(a.pooling ? { pooling: a.pooling } : {}), ...prompts });
  if (Object.keys(prompts).length && encoder.kind !== 'transformer') {
    encoder.dispose();
    throw new Error(`--query-prompt / --document-prompt apply to transformer models; ${a.model} is a ${encoder.kind} model (its query prefix was fixed at training)`);
  }
  try {
    const rows =
      inputFormat(a) === 'text'
        ? await readTextLines(a.input)
        : a.side === 'document'
          ? (await loadCorpus(a.input)).map((d) => ({ id: d.docid, text: documentText(d) }))
          : (await loadQueries(a.input)).map((q) => ({ id: q.id, text: q.text }));
    const out = new Float32Array(rows.length * encoder.dim);
    const bar = createProgress({ label: `encoding ${a.side}s`, total: rows.length, mode: a.quiet ? 'silent' : undefined });
    for (let i = 0; i < rows.length; i += a.batchSize) {
      const texts = rows.slice(i, i + a.batchSize).map((r) => r.text);
      const v = a.side === 'query' ? await encoder.embedQueries(texts) : await encoder.embedDocuments(texts);
      out.set(v, i * encoder.dim);
      bar.update(Math.min(rows.length, i + a.batchSize));
    }
    bar.stop();
    const files = { embeddings: path.join(a.out, 'embeddings.f32'), ids: path.join(a.out, 'ids.txt'), manifest: path.join(a.out, 'manifest.json') };
    await writeFileAtomic(files.embeddings, new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
    await writeFileAtomic(files.ids, rows.map((r) => r.id).join('\n') + (rows.length ? '\n' : ''));
    const seconds = (Date.now() - started) / 1000;
    const manifest = {
      format: 'lrat-embeddings',
      model: { id: encoder.id, version: encoder.version, path: path.resolve(a.model) },
      side: a.side,
      dim: encoder.dim,
      count: rows.length,
      dtype: 'float32-le',
      // A sentence-transformers folder without a Normalize module embeds unnormalised (as its encode() does).
      normalized: encoder.kind === 'transformer' ? encoder.config().normalize === true : true,
      backend: backend.name,
      input: path.resolve(a.input),
      seconds,
    };
    await writeFileAtomic(files.manifest, JSON.stringify(manifest, null, 2) + '\n');
    say(`${rows.length} ${a.side}s → ${a.out} (${encoder.dim}-d, ${seconds.toFixed(1)} s on ${backend.name})`);
    return { count: rows.length, dim: encoder.dim, seconds, backend: backend.name, files };
  } finally {
    encoder.dispose();
  }
}

export const encodeCommand: CommandModule<object, EncodeArgs> = {
  command: 'encode',
  describe: 'Embed a corpus, queries or lines of text with a trained model or a Hugging Face / sentence-transformers folder',
  builder: (y: Argv) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'Model folder written by `lrat train`, or a Hugging Face / sentence-transformers BERT-family folder' })
      .option('input', { type: 'string', demandOption: true, describe: 'JSONL: BEIR corpus {_id,title,text} (or {docid,text}), or queries {_id,text}; or plain text, one text per line' })
      .option('format', { choices: ['auto', 'jsonl', 'text'] as const, default: 'auto' as const, describe: 'Input format; auto: .jsonl/.json → jsonl, anything else → one text per line (empty lines kept)' })
      .option('pooling', { choices: ['cls', 'mean', 'lasttoken'] as const, describe: 'Pooling for a Hugging Face folder without sentence-transformers files (default cls; lasttoken for Qwen3)' })
      .option('query-prompt', { type: 'string', describe: "With --side query: the prompt put before each query instead of the folder's `query` prompt (\"\" for none)" })
      .option('document-prompt', { type: 'string', describe: "With --side document: the prompt put before each document instead of the folder's document prompt" })
      .option('out', { type: 'string', demandOption: true, describe: 'Output folder: embeddings.f32, ids.txt, manifest.json' })
      .option('side', { choices: ['query', 'document'] as const, default: 'document' as const })
      .option('batch-size', { type: 'number', default: 256 })
      .option('backend', { choices: BACKEND_NAMES as unknown as string[], describe: 'tfjs backend (default: best available; env LRAT_TF_BACKEND)' })
      .option('cache-dir', { type: 'string', describe: 'Base-embedding cache (default $LRAT_CACHE_DIR or ./.lrat-cache)' })
      .option('quiet', { type: 'boolean', default: false })
      .example('$0 encode --model models/x --input data/multihop-wiki/corpus.jsonl --out emb/', 'Embed a BEIR corpus')
      .example('$0 encode --model models/x --input data/multihop-wiki/queries.jsonl --side query --out emb-q/', 'Embed queries')
      .example('$0 encode --model ~/models/bge-small-en-v1.5 --input texts.txt --out emb/', 'Embed each line of a text file with a sentence-transformers folder (same vectors as its encode())')
      .example('$0 encode --model ~/models/Qwen3-Embedding-0.6B --input queries.txt --side query --out emb-q/', "Qwen3-Embedding queries with the folder's `query` instruction prompt, last-token pooling, left padding")
      .example('$0 encode --model ~/models/bert-base --pooling mean --input texts.txt --out emb/', 'A bare Hugging Face folder with mean pooling') as unknown as Argv<EncodeArgs>,
  handler: async (a) => {
    await runEncode(a);
  },
};
