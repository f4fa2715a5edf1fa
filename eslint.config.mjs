// Workspace lint: TypeScript rules plus Nx module boundaries. The depConstraints below are the package
// DAG, each tag listing the libraries it may import: core at the bottom, imported by every package but
// faiss (a standalone N-API addon); apps on top, free to use any library; tools import none. The
// experiment side stacks core ← trajectory ← agents ← evaluation (evaluation also uses indexer's IR
// metrics), with report beside them on core alone; evaluation may read report only because its
// calibration benchmark prints the paper's reference numbers (its shipped code does not import it).
// A package may import another only through its entries, `@lrat/<name>` and, from tests,
// `@lrat/<name>/testing` (tools/test/testing-entries.spec.ts keeps test doubles out of shipped code).
import nx from '@nx/eslint-plugin';

export const depConstraints = [
  { sourceTag: 'scope:core', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:trajectory', onlyDependOnLibsWithTags: ['scope:core'] },
  { sourceTag: 'scope:weighting', onlyDependOnLibsWithTags: ['scope:core'] },
  { sourceTag: 'scope:faiss', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:indexer', onlyDependOnLibsWithTags: ['scope:core', 'scope:faiss'] },
  { sourceTag: 'scope:miners', onlyDependOnLibsWithTags: ['scope:core', 'scope:trajectory', 'scope:weighting'] },
  { sourceTag: 'scope:trainer', onlyDependOnLibsWithTags: ['scope:core', 'scope:indexer', 'scope:faiss'] },
  { sourceTag: 'scope:agents', onlyDependOnLibsWithTags: ['scope:core', 'scope:trajectory'] },
  {
    sourceTag: 'scope:evaluation',
    onlyDependOnLibsWithTags: ['scope:core', 'scope:trajectory', 'scope:indexer', 'scope:agents', 'scope:report'],
  },
  { sourceTag: 'scope:report', onlyDependOnLibsWithTags: ['scope:core'] },
  { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:core', 'scope:trajectory', 'scope:trainer', 'scope:indexer'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: [] },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', 'tmp', '.nx', 'results', '**/__fixtures__/**', 'tools/lint-fixtures/**'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: [], depConstraints },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
];
