// Where the build's inputs are on this machine. Only node built-ins: this runs at install time.
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');

/** Debian packages the addon needs: libfaiss (static, with its BLAS/LAPACK/OpenMP) and a C++ toolchain (node-gyp runs python3). */
const APT_PACKAGES = ['libfaiss-dev', 'libopenblas-dev', 'g++', 'make', 'python3'];

const pkg = path.resolve(__dirname, '..');

function faissHeader() {
  for (const dir of ['/usr/include', '/usr/local/include']) {
    const h = path.join(dir, 'faiss', 'Index.h');
    if (fs.existsSync(h)) return h;
  }
  return null;
}

/** A Node.js install prefix holding this Node's headers (so node-gyp needs no download). */
function nodeHeadersDir() {
  const candidates = [process.env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..'), '/usr', '/usr/local'];
  for (const dir of candidates) if (dir && fs.existsSync(path.join(dir, 'include', 'node', 'node_api.h'))) return dir;
  return null;
}

/** npm's bundled node-gyp: npm names it in npm_config_node_gyp while running install scripts. */
function nodeGypScript() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {
    return null;
  }
}

/** Hash of what the addon is built from: a build is current when its stamp equals this. */
function sourceStamp() {
  const h = crypto.createHash('sha256');
  for (const f of ['binding.gyp', 'src/addon.cc', 'scripts/install.js', 'scripts/toolchain.js']) h.update(fs.readFileSync(path.join(pkg, f)));
  return h.digest('hex');
}

module.exports = { APT_PACKAGES, faissHeader, nodeHeadersDir, nodeGypScript, sourceStamp };
