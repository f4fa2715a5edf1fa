// Workspace lint: TypeScript rules plus Nx module boundaries. The depConstraints are the
// dependency DAG of DEVELOPERS.md (trajectory → miners → weighting → trainer → indexer → harness → server,
// with apps on top); a package may import another only through its public `@lrat/<name>` entry.
import nx from '@nx/eslint-plugin';

export const depConstraints = [
  { sourceTag: 'scope:trajectory', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:weighting', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:faiss', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'scope:indexer', onlyDependOnLibsWithTags: ['scope:faiss'] },
  { sourceTag: 'scope:miners', onlyDependOnLibsWithTags: ['scope:trajectory', 'scope:weighting'] },
  { sourceTag: 'scope:trainer', onlyDependOnLibsWithTags: ['scope:indexer'] },
  {
    sourceTag: 'scope:harness',
    onlyDependOnLibsWithTags: ['scope:trajectory', 'scope:miners', 'scope:weighting', 'scope:trainer', 'scope:indexer'],
  },
  { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:trajectory', 'scope:trainer', 'scope:indexer'] },
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
