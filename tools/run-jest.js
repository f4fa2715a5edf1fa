#!/usr/bin/env node
// Runs one project's Jest suite and records its results as JSON under tmp/test-results/, which
// tools/test-all.sh adds up into the workspace's closing "N passed, N failed" line.
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dir = path.resolve(process.argv[2]);
const name = JSON.parse(fs.readFileSync(path.join(dir, 'project.json'), 'utf8')).name;
const outDir = path.join(root, 'tmp', 'test-results');
fs.mkdirSync(outDir, { recursive: true });
const outFile = path.join(outDir, `${name}.json`);
fs.rmSync(outFile, { force: true });
const jest = require.resolve('jest/bin/jest');
const args = [jest, '-c', path.join(dir, 'jest.config.cjs'), '--json', `--outputFile=${outFile}`, ...process.argv.slice(3)];
if (process.env.CI) args.push('--ci');
const res = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'], cwd: root });
process.exit(res.status ?? 1);
