// What bootstrap must do, decided from an observed machine/workspace state. Pure: no I/O here, so the
// decision logic is unit-tested (tools/test/bootstrap-plan.spec.ts) and the shell only observes and acts.

/** Debian packages the workspace needs: faiss (+BLAS) and a C++ toolchain to build faiss-node. */
const APT_PACKAGES = ['libfaiss-dev', 'libopenblas-dev', 'cmake', 'g++', 'make'];

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
 *   faissAddonBuilt: boolean,         // faiss-node's .node file exists
 *   faissStamp: string|null,          // stamp recorded by the last successful build
 *   faissExpectedStamp: string,       // stamp of the current recipe (faiss-node version + our patch + CMakeLists)
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
  if (npmStale || !state.faissAddonBuilt || state.faissStamp !== state.faissExpectedStamp) {
    steps.push({
      id: 'faiss-node',
      why: npmStale
        ? 'npm ci replaces faiss-node, which must be rebuilt against the system libfaiss'
        : !state.faissAddonBuilt
          ? 'faiss-node addon is not built'
          : 'faiss-node build recipe changed',
      command: ['bash', 'tools/faiss-node/build.sh'],
    });
  }
  steps.push({ id: 'build', why: 'compile the workspace packages (cached by Nx when unchanged)', command: ['npx', 'nx', 'run-many', '-t', 'build'] });
  return { steps, errors };
}

module.exports = { APT_PACKAGES, BENCH_APT_PACKAGES, planBootstrap };
