// What bootstrap must do, decided from an observed machine/workspace state. Pure: no I/O here, so the
// decision logic is unit-tested (tools/test/bootstrap-plan.spec.ts) and the shell only observes and acts.

/** Debian packages the workspace needs: the ones @lrat/faiss builds its addon with (libfaiss, BLAS, a C++ toolchain). */
const { APT_PACKAGES } = require('../../packages/faiss/scripts/toolchain');

/**
 * Only for benchmarks (`bootstrap.sh --bench`, which `nx run trainer:bench` runs when its reference
 * is missing): Debian's PyTorch CPU (≈ 1 GB installed) for the same-run PyTorch reference. Tests never
 * need it, so a plain bootstrap (CI, `npm test`) does not install it.
 */
const BENCH_APT_PACKAGES = ['python3-torch', 'python3-numpy'];

/**
 * @param {{
 *   installedApt: string[],          // Debian packages already installed
 *   isRoot: boolean, hasSudo: boolean, hasApt: boolean,
 *   lockMtimeMs: number|null,         // package-lock.json
 *   installedLockMtimeMs: number|null,// node_modules/.package-lock.json (written by npm ci)
 *   faissAddonBuilt: boolean,         // @lrat/faiss's .node file exists
 *   faissStamp: string|null,          // stamp recorded by its last successful build
 *   faissExpectedStamp: string,       // stamp of its current sources (binding.gyp, addon.cc, install scripts)
 *   benchmarks?: boolean,             // also install the benchmarks' references (BENCH_APT_PACKAGES)
 * }} state
 * @returns {{ steps: Array<{id: string, why: string, packages?: string[], command?: string[]}>, errors: string[] }}
 */
function planBootstrap(state) {
  const steps = [];
  const errors = [];
  const wanted = state.benchmarks ? [...APT_PACKAGES, ...BENCH_APT_PACKAGES] : APT_PACKAGES;
  const missing = wanted.filter((p) => !state.installedApt.includes(p));
  if (missing.length > 0) {
    if (!state.hasApt) {
      errors.push(`missing Debian packages ${missing.join(' ')} and apt-get is not available: install them with your package manager`);
    } else if (!state.isRoot && !state.hasSudo) {
      errors.push(`missing Debian packages ${missing.join(' ')}: run  sudo apt-get install -y ${missing.join(' ')}  (not root, and sudo is not available)`);
    } else {
      const prefix = state.isRoot ? [] : ['sudo'];
      steps.push({
        id: 'apt',
        why: `missing Debian packages: ${missing.join(' ')}`,
        packages: missing,
        command: [...prefix, 'apt-get', 'install', '-y', '--no-install-recommends', ...missing],
      });
    }
  }
  const npmStale =
    state.installedLockMtimeMs === null || (state.lockMtimeMs !== null && state.lockMtimeMs > state.installedLockMtimeMs);
  if (npmStale) {
    steps.push({
      id: 'npm-ci',
      why: state.installedLockMtimeMs === null ? 'node_modules is missing' : 'package-lock.json is newer than node_modules',
      command: ['npm', 'ci', '--no-audit', '--no-fund'],
    });
  }
  // npm ci runs @lrat/faiss's install script, which builds the addon; otherwise rebuild it when its
  // sources changed or the build is gone (packages/faiss/build is not in node_modules).
  if (!npmStale && (!state.faissAddonBuilt || state.faissStamp !== state.faissExpectedStamp)) {
    steps.push({
      id: 'faiss-addon',
      why: !state.faissAddonBuilt ? 'the @lrat/faiss addon is not built' : 'the @lrat/faiss sources changed',
      command: ['node', 'packages/faiss/scripts/install.js'],
    });
  }
  steps.push({ id: 'build', why: 'compile the workspace packages (cached by Nx when unchanged)', command: ['npx', 'nx', 'run-many', '-t', 'build'] });
  return { steps, errors };
}

module.exports = { APT_PACKAGES, BENCH_APT_PACKAGES, planBootstrap };
