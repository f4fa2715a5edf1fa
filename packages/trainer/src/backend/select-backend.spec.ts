import * as tf from '@tensorflow/tfjs';
import { BackendLoader, selectBackend } from './select-backend';

const missing = (pkg: string): BackendLoader => async () => {
  const err = new Error(`Cannot find module '${pkg}'`) as Error & { code: string };
  err.code = 'MODULE_NOT_FOUND';
  throw err;
};

describe('backend selection', () => {
  const lines: string[] = [];
  const log = (l: string) => lines.push(l);
  beforeEach(() => (lines.length = 0));

  it('picks the best backend that initialises here (node-gpu, webgpu and node are unavailable) and says why', async () => {
    const s = await selectBackend({ env: {}, log });
    expect(s.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(s.tried.map((t) => t.name)).toEqual(['node-gpu', 'webgpu', 'node', 'wasm']);
    expect(s.tried.slice(0, 3).every((t) => !t.ok && t.reason.length > 0)).toBe(true);
    expect(s.tried.find((t) => t.name === 'node-gpu')?.reason).toMatch(/not installed/);
    expect(lines.join('\n')).toMatch(/tfjs backend: wasm \(best available after node-gpu, webgpu, node failed\)/);
  });

  it('honours LRAT_TF_BACKEND and an explicit preference over it', async () => {
    const viaEnv = await selectBackend({ env: { LRAT_TF_BACKEND: 'cpu' }, log });
    expect(viaEnv).toMatchObject({ name: 'cpu', reason: 'requested by LRAT_TF_BACKEND' });
    expect(viaEnv.tried).toHaveLength(1);
    const viaFlag = await selectBackend({ prefer: 'wasm', env: { LRAT_TF_BACKEND: 'cpu' }, log });
    expect(viaFlag).toMatchObject({ name: 'wasm', reason: 'requested by --backend' });
  });

  it('falls back in priority order when the requested backend fails, or throws when strict', async () => {
    const loaders = { 'node-gpu': missing('@tensorflow/tfjs-node-gpu'), node: missing('@tensorflow/tfjs-node') };
    const s = await selectBackend({ prefer: 'node', env: {}, log, loaders });
    expect(s.name).not.toBe('node');
    expect(s.tried[0]).toEqual({ name: 'node', ok: false, reason: 'not installed (@tensorflow/tfjs-node)' });
    expect(s.reason).toMatch(/requested 'node' failed/);
    await expect(selectBackend({ prefer: 'node', strict: true, env: {}, log, loaders })).rejects.toThrow(/'node' \(from --backend\) failed to initialise: not installed/);
  });

  it('skips a backend whose loader succeeds but whose tfjs backend cannot be activated', async () => {
    const s = await selectBackend({ env: {}, log, loaders: { 'node-gpu': async () => 'no-such-backend', webgpu: missing('webgpu'), node: missing('@tensorflow/tfjs-node') } });
    expect(s.name).toBe('wasm');
    expect(s.tried[0].reason).toMatch(/no-such-backend/);
  });

  it('rejects an unknown backend name', async () => {
    await expect(selectBackend({ env: { LRAT_TF_BACKEND: 'tpu' }, log })).rejects.toThrow(/unknown tfjs backend 'tpu' \(from LRAT_TF_BACKEND\)/);
  });
});
