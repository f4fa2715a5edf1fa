#!/usr/bin/env bash
# One idempotent bootstrap: Debian packages when missing (apt, sudo when not root), `npm ci` when
# node_modules is missing or older than the lockfile, faiss-node built against the system libfaiss,
# and the workspace compiled. Downloads only through apt and the npm registry. `--dry-run` prints the plan;
# `--bench` also installs the benchmarks' PyTorch CPU reference (Debian's python3-torch, ≈ 1 GB).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v node >/dev/null || { echo "bootstrap: node (>= 20.19) is required: https://nodejs.org or apt-get install nodejs" >&2; exit 1; }
exec node tools/bootstrap/run.js "$@"
