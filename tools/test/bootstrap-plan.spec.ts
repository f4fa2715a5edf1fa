const { planBootstrap, APT_PACKAGES, BENCH_APT_PACKAGES } = require('../bootstrap/plan.js');

const fresh = {
  installedApt: [] as string[],
  isRoot: true,
  hasSudo: false,
  hasApt: true,
  lockMtimeMs: 1000,
  installedLockMtimeMs: null as number | null,
  faissAddonBuilt: false,
  faissStamp: null as string | null,
  faissExpectedStamp: 'abc',
  benchmarks: false as boolean | undefined,
};
const ids = (s: typeof fresh) => planBootstrap(s).steps.map((x: { id: string }) => x.id);

describe('planBootstrap', () => {
  it('on a fresh machine installs apt packages, then npm ci (which builds the @lrat/faiss addon) and the workspace', () => {
    const plan = planBootstrap(fresh);
    expect(plan.errors).toEqual([]);
    expect(plan.steps.map((s: { id: string }) => s.id)).toEqual(['apt', 'npm-ci', 'build']);
    expect(plan.steps[0].command).toEqual(['apt-get', 'install', '-y', '--no-install-recommends', ...APT_PACKAGES]);
  });

  it('asks only for the packages that are missing, through sudo when not root', () => {
    const plan = planBootstrap({ ...fresh, installedApt: ['g++', 'make', 'python3'], isRoot: false, hasSudo: true });
    expect(plan.steps[0].packages).toEqual(['libfaiss-dev', 'libopenblas-dev']);
    expect(plan.steps[0].command.slice(0, 2)).toEqual(['sudo', 'apt-get']);
  });

  it('names the packages in a clear error when it cannot install them', () => {
    const plan = planBootstrap({ ...fresh, installedApt: ['g++', 'make', 'python3', 'libopenblas-dev'], isRoot: false, hasSudo: false });
    expect(plan.errors).toHaveLength(1);
    expect(plan.errors[0]).toContain('sudo apt-get install -y libfaiss-dev');
    expect(plan.steps.map((s: { id: string }) => s.id)).not.toContain('apt');
  });

  it('does nothing but the cached build when everything is in place', () => {
    expect(
      ids({ ...fresh, installedApt: [...APT_PACKAGES], installedLockMtimeMs: 2000, faissAddonBuilt: true, faissStamp: 'abc' }),
    ).toEqual(['build']);
  });

  it('re-runs npm ci when the lockfile is newer than node_modules; its install scripts rebuild the addon', () => {
    expect(
      ids({ ...fresh, installedApt: [...APT_PACKAGES], lockMtimeMs: 3000, installedLockMtimeMs: 2000, faissAddonBuilt: false, faissStamp: null }),
    ).toEqual(['npm-ci', 'build']);
  });

  it('rebuilds the @lrat/faiss addon when its sources changed or the build is gone', () => {
    const ready = { ...fresh, installedApt: [...APT_PACKAGES], installedLockMtimeMs: 2000 };
    expect(ids({ ...ready, faissAddonBuilt: true, faissStamp: 'old' })).toEqual(['faiss-addon', 'build']);
    expect(ids({ ...ready, faissAddonBuilt: false, faissStamp: 'abc' })).toEqual(['faiss-addon', 'build']);
    expect(planBootstrap({ ...ready, faissAddonBuilt: false }).steps[0].command).toEqual(['node', 'packages/faiss/scripts/install.js']);
  });

  it('needs libfaiss-dev among the Debian packages, and no cmake any more', () => {
    expect(APT_PACKAGES).toEqual(expect.arrayContaining(['libfaiss-dev', 'libopenblas-dev', 'g++', 'make', 'python3']));
    expect(APT_PACKAGES).not.toContain('cmake');
  });

  it('installs the benchmarks\' PyTorch reference only when asked (--bench), never for tests', () => {
    const ready = { ...fresh, installedApt: [...APT_PACKAGES], installedLockMtimeMs: 2000, faissAddonBuilt: true, faissStamp: 'abc' };
    expect(ids(ready)).toEqual(['build']);
    const bench = planBootstrap({ ...ready, benchmarks: true });
    expect(bench.steps[0].packages).toEqual(BENCH_APT_PACKAGES);
    expect(bench.steps[0].packages).toContain('python3-torch');
    expect(ids({ ...ready, installedApt: [...APT_PACKAGES, ...BENCH_APT_PACKAGES], benchmarks: true })).toEqual(['build']);
  });
});
