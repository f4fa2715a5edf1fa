import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { decodeToFloat32, readCheckpointHeaders, readSafetensors, readSafetensorsHeader, writeSafetensors } from './safetensors';

let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-st-'));
});
afterAll(() => fsp.rm(tmp, { recursive: true, force: true }));

/** A file built by hand from the format description: u64 header length, JSON header, bytes. */
async function handMade(file: string, header: Record<string, unknown>, data: Buffer, lengthOverride?: bigint): Promise<void> {
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(lengthOverride ?? BigInt(h.length));
  await fsp.writeFile(file, Buffer.concat([len, h, data]));
}

describe('safetensors', () => {
  it('writes fp32 tensors that read back exactly, with an 8-byte aligned header', async () => {
    const file = path.join(tmp, 'rt.safetensors');
    const a = Float32Array.from([1.5, -2, 3.25, 1e-8, 0, -0]);
    const b = Float32Array.from([7]);
    await writeSafetensors(file, [
      { name: 'a', shape: [2, 3], data: a },
      { name: 'b.c', shape: [1], data: b },
    ]);
    const raw = await fsp.readFile(file);
    expect(Number(raw.readBigUInt64LE(0)) % 8).toBe(0);
    const header = await readSafetensorsHeader(file);
    expect(header.metadata).toEqual({ format: 'pt' });
    expect(header.tensors.get('a')).toMatchObject({ dtype: 'F32', shape: [2, 3] });
    const t = await readSafetensors(file);
    expect(Array.from(t.get('a')!.data)).toEqual(Array.from(a));
    expect(Array.from(t.get('b.c')!.data)).toEqual([7]);
    await expect(writeSafetensors(file, [{ name: 'x', shape: [2], data: new Float32Array(3) }])).rejects.toThrow(/tensor "x" has 3 values for shape \[2\]/);
  });

  it('upcasts fp16 and bf16 to float32', async () => {
    // fp16: 1.0 = 0x3c00, -2.5 = 0xc100, 65504 = 0x7bff, smallest subnormal 2^-24 = 0x0001, inf = 0x7c00
    const f16 = Buffer.alloc(10);
    [0x3c00, 0xc100, 0x7bff, 0x0001, 0x7c00].forEach((v, i) => f16.writeUInt16LE(v, i * 2));
    expect(Array.from(decodeToFloat32(f16, 'F16'))).toEqual([1, -2.5, 65504, 2 ** -24, Infinity]);
    // bf16: the top 16 bits of a float32: 1.0 = 0x3f80, -3.0 = 0xc040, 0.15625 = 0x3e20
    const bf = Buffer.alloc(6);
    [0x3f80, 0xc040, 0x3e20].forEach((v, i) => bf.writeUInt16LE(v, i * 2));
    expect(Array.from(decodeToFloat32(bf, 'BF16'))).toEqual([1, -3, 0.15625]);
    const file = path.join(tmp, 'half.safetensors');
    await handMade(file, { h: { dtype: 'F16', shape: [5], data_offsets: [0, 10] }, ids: { dtype: 'I64', shape: [2], data_offsets: [10, 26] } }, Buffer.concat([f16, Buffer.from(new BigInt64Array([3n, -4n]).buffer)]));
    const t = await readSafetensors(file);
    expect(Array.from(t.get('h')!.data)).toEqual([1, -2.5, 65504, 2 ** -24, Infinity]);
    expect(Array.from(t.get('ids')!.data)).toEqual([3, -4]);
  });

  it('names the file and the tensor when a header is wrong', async () => {
    const bad = async (name: string, header: Record<string, unknown>, data: Buffer, re: RegExp, len?: bigint) => {
      const file = path.join(tmp, name);
      await handMade(file, header, data, len);
      await expect(readSafetensorsHeader(file)).rejects.toThrow(re);
      await expect(readSafetensorsHeader(file)).rejects.toThrow(file);
    };
    await bad('dtype.safetensors', { w: { dtype: 'F8', shape: [1], data_offsets: [0, 1] } }, Buffer.alloc(1), /tensor "w": unsupported dtype "F8"/);
    await bad('span.safetensors', { w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] } }, Buffer.alloc(16), /tensor "w": data_offsets span 12 bytes, but F32 \[2,2\] needs 16/);
    await bad('short.safetensors', { w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, Buffer.alloc(8), /tensor "w": data_offsets end 16 is past the data \(8 bytes\)/);
    await bad('len.safetensors', {}, Buffer.alloc(0), /header length 999999 runs past the end/, 999999n);
    await bad('shape.safetensors', { w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, Buffer.alloc(4), /tensor "w": field "shape"/);
    const notJson = path.join(tmp, 'junk.safetensors');
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(3n);
    await fsp.writeFile(notJson, Buffer.concat([len, Buffer.from('{x}')]));
    await expect(readSafetensorsHeader(notJson)).rejects.toThrow(/junk.safetensors: header is not valid JSON/);
  });

  it('finds tensors across the shards of model.safetensors.index.json', async () => {
    const dir = path.join(tmp, 'sharded');
    await fsp.mkdir(dir);
    await writeSafetensors(path.join(dir, 'model-00001-of-00002.safetensors'), [{ name: 'x', shape: [1], data: Float32Array.from([1]) }]);
    await writeSafetensors(path.join(dir, 'model-00002-of-00002.safetensors'), [{ name: 'y', shape: [1], data: Float32Array.from([2]) }]);
    await fsp.writeFile(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: { x: 'model-00001-of-00002.safetensors', y: 'model-00002-of-00002.safetensors' } }));
    const h = await readCheckpointHeaders(dir);
    expect(path.basename(h.get('y')!.file)).toBe('model-00002-of-00002.safetensors');
    await expect(readCheckpointHeaders(tmp)).rejects.toThrow(/no model.safetensors or model.safetensors.index.json/);
  });
});
