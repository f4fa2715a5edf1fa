import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

// Test doubles live in each package's `src/testing/` and are published as a second entry,
// `@lrat/<name>/testing` (as vercel/ai publishes `ai/test`). The main entry never re-exports them, and
// code that ships (non-test sources) never imports them, so a user's bundle carries no double.
const root = path.resolve(__dirname, '..', '..');

/** Every module specifier a file names: imports, re-exports, require() and import() calls. */
function specifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/** True when `spec`, imported from `file`, points into a `testing/` folder or a `@lrat/<name>/testing` entry. */
function isTestingImport(file: string, spec: string): boolean {
  if (/^@lrat\/[^/]+\/testing(\/|$)/.test(spec)) return true;
  if (!spec.startsWith('.')) return false;
  const target = path.resolve(path.dirname(file), spec);
  return path.relative(root, target).split(path.sep).includes('testing');
}

/** A main entry's violations: every re-export or import of a test double. */
export function mainEntryViolations(file: string, text: string): string[] {
  return specifiers(text)
    .filter((s) => isTestingImport(file, s))
    .map((s) => `${path.relative(root, file)} exports or imports '${s}' (test doubles belong in the testing entry)`);
}

/** A shipped source file's violations: every import of a test double. */
export function sourceViolations(file: string, text: string): string[] {
  return specifiers(text)
    .filter((s) => isTestingImport(file, s))
    .map((s) => `${path.relative(root, file)} imports '${s}', a test double, from code that ships`);
}

const isTestFile = (rel: string) => /\.spec\.ts$/.test(rel) || rel.split('/').some((part) => part === 'testing' || part === '__fixtures__');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name === 'dist') continue;
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (/\.(ts|js|cjs|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(f);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

const projects = ['packages', 'apps'].flatMap((group) =>
  fs.readdirSync(path.join(root, group)).map((name) => ({ group, name, dir: path.join(root, group, name) })),
);
const packages = projects.filter((p) => p.group === 'packages' && fs.existsSync(path.join(p.dir, 'src', 'index.ts')));

describe('test doubles stay out of main entries', () => {
  it('catches a main entry that re-exports a double, and a shipped file that imports one', () => {
    const entry = path.join(root, 'packages/indexer/src/index.ts');
    expect(mainEntryViolations(entry, "export { HashingEmbedder } from './testing/hashing-embedder';")).toHaveLength(1);
    expect(mainEntryViolations(entry, "export * from './testing';")).toHaveLength(1);
    expect(mainEntryViolations(entry, "export { readCorpus } from './beir';\nexport type { TextEmbedder } from './embedder';")).toEqual([]);
    const shipped = path.join(root, 'apps/cli/src/commands/search.ts');
    expect(sourceViolations(shipped, "import { HashingEmbedder } from '@lrat/indexer/testing';")).toHaveLength(1);
    expect(sourceViolations(shipped, "const { TermBackend } = require('@lrat/server/testing');")).toHaveLength(1);
    expect(sourceViolations(path.join(root, 'packages/trainer/src/train.ts'), "import { tinyEncoder } from './testing/tiny-encoder';")).toHaveLength(1);
    expect(sourceViolations(shipped, "import { openSearcher } from '@lrat/indexer';\nimport { testingMode } from './testing-mode';")).toEqual([]);
  });

  it('no package main entry exports from its testing folder', () => {
    expect(packages.length).toBeGreaterThan(5);
    const violations = packages.flatMap((p) => {
      const entry = path.join(p.dir, 'src', 'index.ts');
      return mainEntryViolations(entry, fs.readFileSync(entry, 'utf8'));
    });
    expect(violations).toEqual([]);
  });

  it('no shipped source (outside testing/ and specs) imports a test double', () => {
    const files = projects.flatMap((p) => sourceFiles(path.join(p.dir, 'src'))).filter((f) => !isTestFile(path.relative(root, f)));
    expect(files.length).toBeGreaterThan(100);
    const violations = files.flatMap((f) => sourceViolations(f, fs.readFileSync(f, 'utf8')));
    expect(violations).toEqual([]);
  });

  it('every package with test doubles publishes them as `@lrat/<name>/testing`, and the workspace resolves it to the source', () => {
    const withDoubles = packages.filter((p) => fs.existsSync(path.join(p.dir, 'src', 'testing')));
    expect(withDoubles.map((p) => p.name)).toEqual(expect.arrayContaining(['agents', 'evaluation', 'indexer', 'server', 'trainer']));
    const tsPaths = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.base.json'), 'utf8')).compilerOptions.paths;
    const jestMap: Record<string, string> = require(path.join(root, 'jest.preset.js')).moduleNameMapper;
    for (const p of withDoubles) {
      const source = `packages/${p.name}/src/testing/index.ts`;
      const manifest = JSON.parse(fs.readFileSync(path.join(p.dir, 'package.json'), 'utf8'));
      expect({ name: p.name, entry: fs.existsSync(path.join(root, source)) }).toEqual({ name: p.name, entry: true });
      expect({ name: p.name, exports: manifest.exports?.['./testing'] }).toEqual({
        name: p.name,
        exports: { types: './dist/testing/index.d.ts', default: './dist/testing/index.js' },
      });
      expect({ name: p.name, paths: tsPaths[`@lrat/${p.name}/testing`] }).toEqual({ name: p.name, paths: [source] });
      expect({ name: p.name, jest: jestMap[`^@lrat/${p.name}/testing$`] }).toEqual({ name: p.name, jest: path.join(root, source) });
    }
  });
});
