// @lrat/faiss: loads the addon on first use, so requiring this package never fails; a missing build
// is reported when an index is actually needed, with what to install.
const path = require('path');
const { APT_PACKAGES } = require('./scripts/toolchain');

const ADDON = path.join(__dirname, 'build', 'Release', 'lrat_faiss.node');
let addon;
let failure;

function loadFaiss() {
  if (addon) return addon;
  if (!failure) {
    try {
      addon = require(ADDON);
      return addon;
    } catch (err) {
      failure = err;
    }
  }
  const why = failure.code === 'MODULE_NOT_FOUND' ? 'the addon is not built' : failure.message;
  throw new Error(
    `FAISS is not available (${why}). Dense indexes need the system libfaiss: sudo apt-get install -y ${APT_PACKAGES.join(' ')}, then npm rebuild @lrat/faiss. BM25 works without it.`,
  );
}

function faissAvailable() {
  try {
    loadFaiss();
    return true;
  } catch {
    return false;
  }
}

module.exports = { loadFaiss, faissAvailable };
