import { spawnSync } from 'child_process';
import * as path from 'path';

// Lints virtual files placed inside real projects, so the Nx project graph and the tags in
// project.json decide; the DAG itself lives in eslint.config.mjs.
const root = path.resolve(__dirname, '..', '..');

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  // The real ESLint CLI (flat config is ESM, which Jest's module system cannot load in-process).
  const eslintBin = path.join(root, 'node_modules', 'eslint', 'bin', 'eslint.js');
  const r = spawnSync(process.execPath, [eslintBin, '--format', 'json', '--stdin', '--stdin-filename', path.join(root, file)], {
    cwd: root,
    input: code,
    encoding: 'utf8',
  });
  const [result] = JSON.parse(r.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return result.messages.filter((m) => m.ruleId === '@nx/enforce-module-boundaries').map((m) => m.message);
}

describe('module boundaries', () => {
  it('rejects an import the DAG does not allow', async () => {
    const errors = await boundaryErrors(
      'packages/weighting/src/wrong-import.ts',
      "import type { TextEmbedder } from '@lrat/indexer';\nexport type X = TextEmbedder;\n",
    );
    expect(errors.join('\n')).toMatch(/tagged with "scope:weighting"/);
  });

  it('rejects a deep import into another package instead of its public entry', async () => {
    const errors = await boundaryErrors(
      'packages/miners/src/wrong-import.ts',
      "import { TrajectorySchema } from '../../trajectory/src/schema';\nexport const x = TrajectorySchema;\n",
    );
    expect(errors.length).toBeGreaterThan(0);
  });

  it('accepts an import the DAG allows', async () => {
    const errors = await boundaryErrors(
      'packages/miners/src/right-import.ts',
      "import { TrajectorySchema } from '@lrat/trajectory';\nexport const x = TrajectorySchema;\n",
    );
    expect(errors).toEqual([]);
  });
});
