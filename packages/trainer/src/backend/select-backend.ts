import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { registerWasmKernels } from './wasm-kernels';

export const BACKEND_NAMES = ['node-gpu', 'webgpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  /** Why it was chosen, or why it could not be used. */
  reason: string;
}

export interface BackendSelection {
  name: BackendName;
  /** The tfjs backend name actually active (`tensorflow` for node and node-gpu). */
  tfBackend: string;
  reason: string;
  tried: BackendAttempt[];
}

/** How one backend is brought up; returns the tfjs backend name it registered, or throws why not. */
export type BackendLoader = () => Promise<string>;

export interface SelectBackendOptions {
  /** Try this one first (else `LRAT_TF_BACKEND`, else the best available). */
  prefer?: string;
  /** Fail instead of falling back when the preferred backend does not initialise. */
  strict?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** Replaces the real loaders (tests). */
  loaders?: Partial<Record<BackendName, BackendLoader>>;
}

function isBackendName(x: string): x is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(x);
}

async function activate(tfName: string): Promise<void> {
  const ok = await tf.setBackend(tfName);
  if (!ok) throw new Error(`tf.setBackend('${tfName}') returned false`);
  await tf.ready();
  // A backend that registers but cannot run a kernel is worse than a slower one.
  const probe = tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).sum());
  const v = (await probe.data())[0];
  probe.dispose();
  if (v !== 12) throw new Error(`probe matMul returned ${v}, expected 12`);
}

/** Path prefix of the .wasm binaries inside node_modules (a file path works with setWasmPaths in node). */
export function wasmBinaryDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
}

let wasmPathsSet = false;

export const realLoaders: Record<BackendName, BackendLoader> = {
  'node-gpu': async () => {
    // Optional peer dependency: its install downloads libtensorflow with CUDA, which only works online.
    require('@tensorflow/tfjs-node-gpu');
    return 'tensorflow';
  },
  webgpu: async () => {
    // Load dawn.node the way the ESM `webgpu` entry does, so this works from CommonJS and Jest alike.
    const pkgDir = path.dirname(require.resolve('webgpu/package.json'));
    const arch = process.platform === 'darwin' ? 'universal' : process.arch;
    const dawn = require(path.join(pkgDir, 'dist', `${process.platform}-${arch}`, 'dawn.node')) as {
      create(flags: string[]): { requestAdapter(): Promise<unknown> };
      globals: Record<string, unknown>;
    };
    const gpu = dawn.create([]);
    // tfjs only reports "no adapter" via a console warning; ask Dawn first for a clear reason.
    const adapter = await gpu.requestAdapter();
    if (!adapter) throw new Error('no WebGPU adapter (Dawn found no usable Vulkan/Metal/D3D12 GPU)');
    Object.assign(globalThis, dawn.globals);
    const g = globalThis as unknown as { navigator?: { gpu?: unknown } };
    if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    else if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    require('@tensorflow/tfjs-backend-webgpu');
    return 'webgpu';
  },
  node: async () => {
    require('@tensorflow/tfjs-node');
    return 'tensorflow';
  },
  wasm: async () => {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    if (!wasmPathsSet) {
      wasm.setWasmPaths(wasmBinaryDir());
      wasmPathsSet = true;
    }
    registerWasmKernels();
    return 'wasm';
  },
  cpu: async () => 'cpu',
};

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  if (e && e.code === 'MODULE_NOT_FOUND') {
    const m = /Cannot find module '([^']+)'/.exec(e.message ?? '');
    return `not installed (${m ? m[1] : 'module not found'})`;
  }
  return (e && e.message ? e.message : String(err)).split('\n')[0];
}

/**
 * Picks the fastest tfjs backend that initialises: node-gpu > webgpu > node > wasm > cpu.
 * `prefer` (or LRAT_TF_BACKEND) is tried first; when it fails the rest follow in order, unless strict.
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const requested = options.prefer ?? (env.LRAT_TF_BACKEND ? env.LRAT_TF_BACKEND : undefined);
  const via = options.prefer ? '--backend' : 'LRAT_TF_BACKEND';
  if (requested !== undefined && !isBackendName(requested)) {
    throw new Error(`unknown tfjs backend '${requested}' (from ${via}); expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  const order: BackendName[] = requested ? [requested, ...BACKEND_NAMES.filter((n) => n !== requested)] : [...BACKEND_NAMES];
  const loaders = { ...realLoaders, ...options.loaders };
  const tried: BackendAttempt[] = [];
  for (const name of order) {
    try {
      const tfName = await loaders[name]();
      await activate(tfName);
      const reason =
        requested === name
          ? `requested by ${via}`
          : requested
            ? `requested '${requested}' failed; '${name}' is the best available fallback`
            : tried.length === 0
              ? 'best available backend'
              : `best available after ${tried.map((t) => t.name).join(', ')} failed`;
      tried.push({ name, ok: true, reason });
      log(`tfjs backend: ${name} (${reason})${tried.length > 1 ? `; skipped ${tried.filter((t) => !t.ok).map((t) => `${t.name}: ${t.reason}`).join('; ')}` : ''}`);
      return { name, tfBackend: tf.getBackend(), reason, tried };
    } catch (err) {
      tried.push({ name, ok: false, reason: describe(err) });
      if (options.strict && name === requested) {
        throw new Error(`tfjs backend '${name}' (from ${via}) failed to initialise: ${describe(err)}`);
      }
    }
  }
  throw new Error(`no tfjs backend initialised: ${tried.map((t) => `${t.name}: ${t.reason}`).join('; ')}`);
}
