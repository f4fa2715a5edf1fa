/**
 * The safetensors format (https://github.com/huggingface/safetensors, "Format" section), read and
 * written directly: 8 bytes little-endian u64 N, N bytes of JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`, then the
 * byte buffer; offsets are relative to the buffer's start. Tensors are read one at a time with
 * positioned reads, so a multi-GB file never has to fit in memory at once.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte range in the file. */
  begin: number;
  end: number;
}

export interface SafetensorsHeader {
  file: string;
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
}

/** The format caps the header at 100 MB; anything larger is a corrupt or foreign file. */
const MAX_HEADER = 100 * 1024 * 1024;

export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  const fh = await fsp.open(file, 'r');
  try {
    const { size } = await fh.stat();
    if (size < 8) throw new Error(`${file}: not a safetensors file (${size} bytes, shorter than the 8-byte header length)`);
    const lenBuf = Buffer.alloc(8);
    await fh.read(lenBuf, 0, 8, 0);
    const n = lenBuf.readBigUInt64LE(0);
    if (n > BigInt(Math.min(MAX_HEADER, size - 8))) throw new Error(`${file}: header length ${n} runs past the end of the file (${size} bytes) — truncated or not safetensors`);
    const headerLen = Number(n);
    const hb = Buffer.alloc(headerLen);
    await fh.read(hb, 0, headerLen, 8);
    let json: unknown;
    try {
      json = JSON.parse(hb.toString('utf8'));
    } catch (err) {
      throw new Error(`${file}: header is not valid JSON (${(err as Error).message})`);
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${file}: header must be a JSON object`);
    const dataStart = 8 + headerLen;
    const dataLen = size - dataStart;
    const tensors = new Map<string, TensorInfo>();
    let metadata: Record<string, string> = {};
    for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
      if (name === '__metadata__') {
        if (raw && typeof raw === 'object') metadata = raw as Record<string, string>;
        continue;
      }
      const where = `${file}: tensor "${name}"`;
      const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      if (!e || typeof e !== 'object') throw new Error(`${where}: entry must be an object`);
      if (typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) throw new Error(`${where}: unsupported dtype ${JSON.stringify(e.dtype)} (expected one of ${Object.keys(DTYPE_BYTES).join(', ')})`);
      if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new Error(`${where}: field "shape" must be an array of non-negative integers`);
      const off = e.data_offsets;
      if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isInteger(d) && d >= 0) || off[1] < off[0]) {
        throw new Error(`${where}: field "data_offsets" must be [begin, end] with 0 ≤ begin ≤ end`);
      }
      const dtype = e.dtype as SafetensorsDtype;
      const shape = e.shape as number[];
      const numel = shape.reduce((a, b) => a * b, 1);
      const bytes = off[1] - off[0];
      if (bytes !== numel * DTYPE_BYTES[dtype]) throw new Error(`${where}: data_offsets span ${bytes} bytes, but ${dtype} [${shape}] needs ${numel * DTYPE_BYTES[dtype]}`);
      if (off[1] > dataLen) throw new Error(`${where}: data_offsets end ${off[1]} is past the data (${dataLen} bytes) — truncated file?`);
      tensors.set(name, { dtype, shape, begin: dataStart + off[0], end: dataStart + off[1] });
    }
    return { file, tensors, metadata };
  } finally {
    await fh.close();
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Raw little-endian bytes of one tensor → float32 values (floats upcast; integers converted). */
export function decodeToFloat32(bytes: Buffer, dtype: SafetensorsDtype, where = 'tensor'): Float32Array {
  const n = bytes.length / DTYPE_BYTES[dtype];
  const out = new Float32Array(n);
  switch (dtype) {
    case 'F32':
      if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
      else for (let i = 0; i < n; i++) out[i] = bytes.readFloatLE(i * 4);
      return out;
    case 'F64':
      for (let i = 0; i < n; i++) out[i] = bytes.readDoubleLE(i * 8);
      return out;
    case 'F16':
      for (let i = 0; i < n; i++) out[i] = halfToFloat(bytes.readUInt16LE(i * 2));
      return out;
    case 'BF16': {
      // bfloat16 is the top half of a float32.
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u[i] = bytes.readUInt16LE(i * 2) << 16;
      return out;
    }
    case 'I64':
      for (let i = 0; i < n; i++) out[i] = Number(bytes.readBigInt64LE(i * 8));
      return out;
    case 'I32':
      for (let i = 0; i < n; i++) out[i] = bytes.readInt32LE(i * 4);
      return out;
    case 'I16':
      for (let i = 0; i < n; i++) out[i] = bytes.readInt16LE(i * 2);
      return out;
    case 'I8':
      for (let i = 0; i < n; i++) out[i] = bytes.readInt8(i);
      return out;
    case 'U8':
    case 'BOOL':
      for (let i = 0; i < n; i++) out[i] = bytes[i];
      return out;
    default:
      throw new Error(`${where}: unsupported dtype ${String(dtype)}`);
  }
}

export interface LoadedTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array;
}

/** Reads the named tensors (all when `names` is omitted) as float32, one positioned read each. */
export async function readSafetensors(file: string, names?: readonly string[]): Promise<Map<string, LoadedTensor>> {
  const header = await readSafetensorsHeader(file);
  const out = new Map<string, LoadedTensor>();
  const fh = await fsp.open(file, 'r');
  try {
    for (const name of names ?? [...header.tensors.keys()]) {
      const info = header.tensors.get(name);
      if (!info) throw new Error(`${file}: no tensor named "${name}"`);
      const buf = Buffer.alloc(info.end - info.begin);
      const { bytesRead } = await fh.read(buf, 0, buf.length, info.begin);
      if (bytesRead !== buf.length) throw new Error(`${file}: tensor "${name}" is truncated`);
      out.set(name, { name, dtype: info.dtype, shape: info.shape, data: decodeToFloat32(buf, info.dtype, `${file}: tensor "${name}"`) });
    }
  } finally {
    await fh.close();
  }
  return out;
}

/**
 * The headers of a checkpoint folder's weights: `model.safetensors`, or the shards listed in
 * `model.safetensors.index.json` (its `weight_map`). Returns tensor name → the header that holds it.
 */
export async function readCheckpointHeaders(dir: string): Promise<Map<string, SafetensorsHeader>> {
  const single = path.join(dir, 'model.safetensors');
  const indexFile = path.join(dir, 'model.safetensors.index.json');
  const byName = new Map<string, SafetensorsHeader>();
  let files: string[];
  try {
    await fsp.access(single);
    files = [single];
  } catch {
    let index: { weight_map?: Record<string, string> };
    try {
      index = JSON.parse(await fsp.readFile(indexFile, 'utf8')) as typeof index;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${dir}: no model.safetensors or model.safetensors.index.json (only safetensors weights are supported; convert pytorch_model.bin first)`);
      throw new Error(`${indexFile}: invalid JSON (${(err as Error).message})`);
    }
    if (!index.weight_map || typeof index.weight_map !== 'object') throw new Error(`${indexFile}: field "weight_map" must be an object`);
    files = [...new Set(Object.values(index.weight_map))].map((f) => path.join(dir, f));
  }
  for (const f of files) {
    const h = await readSafetensorsHeader(f);
    for (const name of h.tensors.keys()) byName.set(name, h);
  }
  return byName;
}

export interface TensorToWrite {
  name: string;
  shape: number[];
  data: Float32Array;
}

/**
 * Writes float32 tensors as one safetensors file, streaming each tensor (no full-file buffer). The
 * header is space-padded to a multiple of 8 bytes, as the reference implementation does, so the data
 * is aligned for memory-mapping readers.
 */
export async function writeSafetensors(file: string, tensors: readonly TensorToWrite[], metadata: Record<string, string> = { format: 'pt' }): Promise<void> {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  const seen = new Set<string>();
  for (const t of tensors) {
    if (seen.has(t.name)) throw new Error(`writeSafetensors: duplicate tensor name "${t.name}"`);
    seen.add(t.name);
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.data.length) throw new Error(`writeSafetensors: tensor "${t.name}" has ${t.data.length} values for shape [${t.shape}]`);
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - (json.length % 8)) % 8;
  if (pad) json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const fh = await fsp.open(file, 'w');
  try {
    await fh.write(len);
    await fh.write(json);
    for (const t of tensors) {
      let bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
      if (!LITTLE_ENDIAN) {
        bytes = Buffer.alloc(t.data.byteLength);
        t.data.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
      }
      await fh.write(bytes);
    }
    await fh.sync();
  } finally {
    await fh.close();
  }
}
