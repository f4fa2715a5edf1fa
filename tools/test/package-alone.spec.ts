import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Every package must work when installed alone: pack one the way npm publishes it and use it from a
// project outside the workspace, where no path alias or workspace symlink can help.
const root = path.resolve(__dirname, '..', '..');
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });

/** Packs workspace packages the way npm publishes them into `dir`; returns the tarballs' paths. */
const packInto = (dir: string, packages: string[]) =>
  packages.map((p) => {
    const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', dir, `./packages/${p}`], root));
    return path.join(dir, packed.filename);
  });

describe('a package installed alone', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'lrat-consumer-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('packs @lrat/trajectory with its compiled entry and installs it, with @lrat/core (its one LRAT dependency), into a fresh project', () => {
    const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', work, path.join(root, 'packages/trajectory')], root));
    const files: string[] = packed[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'dist/index.js', 'dist/index.d.ts']));
    expect(files.some((f) => f.startsWith('src/'))).toBe(false);
    expect(files.some((f) => f.endsWith('.spec.js'))).toBe(false);
    const [core] = JSON.parse(npm(['pack', '--json', '--pack-destination', work, path.join(root, 'packages/core')], root));

    fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    npm(['install', '--prefer-offline', '--no-package-lock', path.join(work, core.filename), path.join(work, packed[0].filename)], work);
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `const t = require('@lrat/trajectory');
         const ok = t.TrajectorySchema.safeParse({ id: 'q1', question: 'who?', steps: [{ type: 'search', query: 'who', results: [{ docid: 'd1' }] }] });
         const bad = t.TrajectorySchema.safeParse({ id: 'q1', steps: [] });
         const tool = t.createSearchTool({ searcher: { search: async () => [{ docid: 'd1', score: 1 }] }, documents: t.inMemoryDocumentStore([{ docid: 'd1', title: 'T', text: 'body text' }]) });
         const rec = new t.TrajectoryRecorder(tool);
         rec.search('who').then((hits) => console.log(JSON.stringify({ ok: ok.success, bad: bad.success, snippet: hits[0].snippet, steps: rec.steps.length, resolved: require.resolve('@lrat/trajectory') })));`,
      ],
      { cwd: work, encoding: 'utf8' },
    );
    const result = JSON.parse(out);
    expect(result).toMatchObject({ ok: true, bad: false, snippet: 'T body text', steps: 1 });
    expect(result.resolved.startsWith(fs.realpathSync(work))).toBe(true);
  });

  it('installs the packed @lrat/indexer, core, trajectory, weighting and miners together in an empty project, scripts on, a Flat index adds and searches, and the testing entry resolves', () => {
    const consumer = path.join(work, 'together');
    fs.mkdirSync(consumer);
    const tarballs = packInto(consumer, ['core', 'faiss', 'trajectory', 'weighting', 'miners', 'indexer']);
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    // Install scripts run (the user's default): @lrat/faiss compiles against the system libfaiss, offline.
    execFileSync('npm', ['install', '--prefer-offline', '--no-package-lock', '--foreground-scripts', ...tarballs], {
      cwd: consumer,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_ignore_scripts: 'false' },
    });
    const run = (code: string) => execFileSync(process.execPath, ['-e', code], { cwd: consumer, encoding: 'utf8' });
    const out = JSON.parse(
      run(`const { DenseIndex, Bm25Index } = require('@lrat/indexer');
           const dense = DenseIndex.create({ dim: 2, factory: 'Flat' });
           dense.add(['a', 'b', 'c'], new Float32Array([1, 0, 0, 1, 0.7, 0.7]));
           const bm25 = Bm25Index.build([{ docid: 'x', text: 'dogs bark' }, { docid: 'y', text: 'cats meow' }]);
           const miners = require('@lrat/miners');
           // Test doubles come from the second entry, never the main one.
           const { HashingEmbedder } = require('@lrat/indexer/testing');
           const embedder = new HashingEmbedder(8);
           console.log(JSON.stringify({ dense: dense.search(new Float32Array([0.9, 0.1]), 2).map((h) => h.docid), bm25: bm25.search('dogs', 1).map((h) => h.docid),
             miners: typeof miners.mineTrajectory, faiss: require.resolve('@lrat/faiss'),
             testing: require.resolve('@lrat/indexer/testing'), doubleInMain: 'HashingEmbedder' in require('@lrat/indexer'), dim: embedder.dim }));`),
    );
    expect(out).toMatchObject({ dense: ['a', 'c'], bm25: ['x'], miners: 'function', doubleInMain: false, dim: 8 });
    expect(out.testing).toBe(path.join(fs.realpathSync(consumer), 'node_modules/@lrat/indexer/dist/testing/index.js'));
    expect(out.faiss.startsWith(fs.realpathSync(consumer))).toBe(true);

    // Without the addon (no libfaiss when it installed), BM25 still works and dense search says what to install.
    fs.rmSync(path.join(consumer, 'node_modules/@lrat/faiss/build'), { recursive: true, force: true });
    const without = JSON.parse(
      run(`const { DenseIndex, Bm25Index } = require('@lrat/indexer');
           const bm25 = Bm25Index.build([{ docid: 'x', text: 'dogs bark' }]).search('dogs', 1).map((h) => h.docid);
           let error = '';
           try { DenseIndex.create({ dim: 2 }); } catch (e) { error = e.message; }
           console.log(JSON.stringify({ bm25, error }));`),
    );
    expect(without.bm25).toEqual(['x']);
    expect(without.error).toMatch(/FAISS is not available \(the addon is not built\).*apt-get install -y libfaiss-dev.*npm rebuild @lrat\/faiss/);
  });

  it('installs the packed @lrat/agents, evaluation and report with their LRAT dependencies in an empty project: an agent answers through the search tool, runAgent judges it, and the report renders its charts', () => {
    const consumer = path.join(work, 'experiments');
    fs.mkdirSync(consumer);
    const tarballs = packInto(consumer, ['core', 'faiss', 'trajectory', 'indexer', 'agents', 'evaluation', 'report']);
    fs.writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    // No install scripts: BM25 and the IR metrics need no FAISS addon (the test above builds it).
    execFileSync('npm', ['install', '--prefer-offline', '--no-package-lock', '--ignore-scripts', ...tarballs], {
      cwd: consumer,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
    });
    const out = execFileSync(
      process.execPath,
      [
        '-e',
        `const { createReaderAgent } = require('@lrat/agents');
         const { createSearchTool, inMemoryDocumentStore } = require('@lrat/trajectory');
         const { Bm25Index, createBm25Searcher } = require('@lrat/indexer');
         const { runAgent, summarize } = require('@lrat/evaluation');
         const { writeReport, REPORT_SCHEMA } = require('@lrat/report');
         const docs = [
           { docid: 'd1', title: 'Eiffel Tower', text: 'The Eiffel Tower is a wrought-iron tower in Paris, completed in 1889.' },
           { docid: 'd2', title: 'Big Ben', text: 'Big Ben is the clock tower of the Palace of Westminster in London.' },
         ];
         const tool = createSearchTool({ searcher: createBm25Searcher(Bm25Index.build(docs)), documents: inMemoryDocumentStore(docs) });
         const question = { id: 'q1', text: 'In which city is the Eiffel Tower?', answer: 'Paris', evidence: ['d1'], metadata: {} };
         (async () => {
           const run = await runAgent({ agent: createReaderAgent(), questions: [question], tool, seed: 1, retriever: 'bm25' });
           const s = summarize(run.results);
           const row = (retriever) => ({ agent: 'simulated:reader', retriever, split: 'test', dataset: 'toy', questions: 1, evidence_recall: s.evidenceRecall,
             success: s.success, steps: s.steps, search_calls: 1, browse_calls: 1, ndcg_at_10: null, simulated: true, how: 'reader via ' + retriever });
           const provenance = { job: 'toy', runId: 'toy-1', createdAt: new Date(0).toISOString(), durationSeconds: 0, seed: 1, simulated: true, agents: [], retrievers: [],
             datasets: [], judges: { answer: 'exact match', mining: 'none' }, versions: {}, host: { platform: 'linux', arch: 'x64', cpus: 1 }, config: {} };
           const files = await writeReport('report', { schema: REPORT_SCHEMA, title: 'toy', provenance, runs: [row('base'), row('bm25')], differences: [], retrieval: [],
             training: [], mining: [], weights: [], notes: [] });
           const html = require('fs').readFileSync(files.html, 'utf8');
           console.log(JSON.stringify({ searched: run.trajectories[0].steps.some((st) => st.type === 'search'), errors: run.errors.length, recall: s.evidenceRecall,
             svg: html.includes('<svg'), testing: require.resolve('@lrat/agents/testing'), doubleInMain: 'InMemoryBm25Searcher' in require('@lrat/agents') }));
         })().catch((e) => { console.error(e); process.exit(1); });`,
      ],
      { cwd: consumer, encoding: 'utf8' },
    );
    const result = JSON.parse(out);
    expect(result).toMatchObject({ searched: true, errors: 0, recall: 1, svg: true, doubleInMain: false });
    expect(result.testing).toBe(path.join(fs.realpathSync(consumer), 'node_modules/@lrat/agents/dist/testing/index.js'));
  });
});
