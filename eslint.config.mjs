// Workspace lint: TypeScript rules plus Nx module boundaries. The depConstraints below are the package
// DAG (core at the bottom, usable by all; apps on top); a package may import another only through its
// public `@lrat/<name>` entry.
import nx from '@nx/eslint-plugin';

export const depConstraints = [
  { sourceTag: 'scope:core', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:trajectory', onlyDependOnLibsWithTags: ['scope:core'] },
  { sourceTag: 'scope:weighting', onlyDependOnLibsWithTags: ['scope:core'] },
  { sourceTag: 'scope:faiss', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:indexer', onlyDependOnLibsWithTags: ['scope:core', 'scope:faiss'] },
  { sourceTag: 'scope:miners', onlyDependOnLibsWithTags: ['scope:core', 'scope:trajectory', 'scope:weighting'] },
  { sourceTag: 'scope:trainer', onlyDependOnLibsWithTags: ['scope:core', 'scope:indexer'] },
  {
    sourceTag: 'scope:harness',
    onlyDependOnLibsWithTags: ['scope:core', 'scope:trajectory', 'scope:miners', 'scope:weighting', 'scope:trainer', 'scope:indexer'],
  },
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
