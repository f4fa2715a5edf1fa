#!/usr/bin/env bash
# Builds faiss-node's N-API addon against the system libfaiss (Debian/Ubuntu libfaiss-dev) instead of
# the package's install script, which downloads prebuilds and clones faiss from GitHub. Then proves it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/tools/faiss-node"
pkg=$(cd "$root" && node -p "require('path').dirname(require.resolve('faiss-node/package.json'))")
[ -e /usr/include/faiss/Index.h ] || { echo "missing /usr/include/faiss/Index.h: apt-get install libfaiss-dev libopenblas-dev cmake g++" >&2; exit 1; }
cp "$here/CMakeLists.txt" "$pkg/CMakeLists.txt"
node "$here/patch-addon.js" "$pkg"
(cd "$pkg" && rm -rf build && "$root/node_modules/.bin/cmake-js" compile --log-level error >/dev/null)
node -e "
const f = require('$pkg');
const i = new f.IndexFlatIP(2);
i.add(new Float32Array([1, 0, 0, 1]));
const r = i.search(new Float32Array([0.9, 0.1]), 2);
if (r.labels[0] !== 0 || r.labels[1] !== 1) { console.error('faiss-node smoke failed', r); process.exit(1); }
console.log('faiss-node OK (typed-array add/search against system libfaiss)');
"
