#!/usr/bin/env bash
# lint + typecheck + every project's tests, then one closing line counted over all projects.
# Locally Nx replays unchanged results from its cache; in CI (CI=true) everything runs for real,
# since Nx's cache lives in ~/.nx and outlives a clone.
set -uo pipefail
cd "$(dirname "$0")/.."
export NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false
cache=()
[ -n "${CI:-}" ] && cache=(--skip-nx-cache)
status=0
npx nx run-many -t lint typecheck --outputStyle=stream "${cache[@]}" || status=1
rm -rf tmp/test-results
# --exclude-task-dependencies: tools/bootstrap.sh has just built every package, and the build tasks the
# tests depend on would only rebuild the same dist/ (in CI, with the cache skipped, ≈ 30 s before the
# first test starts).
npx nx run-many -t test --exclude-task-dependencies --outputStyle=stream "${cache[@]}" || status=1
node tools/test-summary.js tmp/test-results || status=1
exit $status
