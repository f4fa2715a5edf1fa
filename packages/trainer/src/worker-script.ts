import { existsSync } from 'fs';
import * as path from 'path';

/**
 * How to start the worker thread `base` (a module next to the caller, `dir` = its __dirname): the
 * compiled .js when it exists (dist/), else the TypeScript source through @swc-node/register with
 * the workspace path aliases (tests, benches run from source).
 */
export function workerScript(dir: string, base: string): { file: string; execArgv?: string[]; env?: NodeJS.ProcessEnv } {
  const js = path.join(dir, `${base}.js`);
  if (existsSync(js)) return { file: js };
  let root = dir;
  while (!existsSync(path.join(root, 'tsconfig.base.json')) && path.dirname(root) !== root) root = path.dirname(root);
  return {
    file: path.join(dir, `${base}.ts`),
    execArgv: ['--require', '@swc-node/register'],
    env: { ...process.env, SWC_NODE_PROJECT: path.join(root, 'tsconfig.base.json') },
  };
}
