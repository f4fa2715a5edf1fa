#!/usr/bin/env node
// Adds up Jest JSON results of every project into the plain closing line "N passed, N failed".
const fs = require('fs');
const path = require('path');

const dir = process.argv[2] || 'tmp/test-results';
let passed = 0, failed = 0, skipped = 0, suitesFailed = 0;
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
for (const f of files) {
  const r = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
  passed += r.numPassedTests; failed += r.numFailedTests; skipped += r.numPendingTests + (r.numTodoTests || 0);
  suitesFailed += r.numRuntimeErrorTestSuites || 0;
  console.log(`  - ${path.basename(f, '.json').padEnd(12)} ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
}
if (suitesFailed) { console.log(`${suitesFailed} test suite(s) failed to run`); failed += suitesFailed; }
if (files.length === 0) { console.log('no test results found'); process.exit(1); }
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 ? 1 : 0);
