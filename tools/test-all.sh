#!/usr/bin/env bash
# lint, typecheck and every project's tests, then one closing line counted over all projects.
# Locally Nx replays unchanged results from its cache; in CI (CI=true) everything runs for real,
# since Nx's cache lives in ~/.nx and outlives a clone.
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
cache=()
[ -n "${CI:-}" ] && cache=(--skip-nx-cache)
status=0
rm -rf tmp/test-results
# One run for all three targets: Nx fills the cores the test suites leave idle with lint and typecheck.
npx nx run-many -t lint typecheck test --outputStyle=stream "${cache[@]}" || status=1
node tools/test-summary.js tmp/test-results || status=1
exit $status
