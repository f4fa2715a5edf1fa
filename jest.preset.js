// Shared Jest settings: SWC transpiles TypeScript (≈3× faster than ts-jest); @lrat/* resolve to sources.
const path = require('path');
const root = __dirname;
const packages = ['core', 'trajectory', 'miners', 'weighting', 'trainer', 'indexer', 'agents', 'evaluation', 'report', 'server'];
// Packages with test doubles publish them as a second entry, `@lrat/<name>/testing`.
const withTesting = ['miners', 'trainer', 'indexer', 'agents', 'evaluation', 'server'];
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      require.resolve('@swc/jest'),
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  // ESM-only dependencies are transpiled to CommonJS for Jest; Node itself loads them natively.
  transformIgnorePatterns: ['/node_modules/(?!(vega|vega-[a-z-]+|d3-[a-z-]+|d3|delaunator|robust-predicates|internmap|stemmer|json-stringify-pretty-compact|topojson-client)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  moduleNameMapper: {
    ...Object.fromEntries(packages.map((p) => [`^@lrat/${p}$`, path.join(root, 'packages', p, 'src', 'index.ts')])),
    ...Object.fromEntries(withTesting.map((p) => [`^@lrat/${p}/testing$`, path.join(root, 'packages', p, 'src', 'testing', 'index.ts')])),
    // vega-canvas's node build probes the optional `canvas` package with a top-level await, which the
    // CommonJS transform cannot run; without `canvas` installed its browser build behaves the same.
    '^vega-canvas$': path.join(root, 'node_modules', 'vega-canvas', 'build', 'vega-canvas.browser.js'),
  },
  testTimeout: 120000,
};
