import { execFileSync, spawnSync } from 'child_process';
import * as path from 'path';
import { parseBenchArgs, type ParsedCommand } from './cli';
import { defaultOptions, parseAgentList, workspaceRoot } from './options';

const defaults = defaultOptions('/repo');
const parse = (argv: string[]): ParsedCommand => {
  const r = parseBenchArgs(argv, defaults);
  if ('help' in r) throw new Error('unexpected help');
  return r;
};

describe('bench flags', () => {
  it('defaults to the offline study on the shipped data with the text-only reader', () => {
    const { job, options } = parse(['in-domain']);
    expect(job).toBe('in-domain');
    expect(options.dataset).toBe(path.resolve('/repo/data/multihop-wiki'));
    expect(options.oodDataset).toBe(path.resolve('/repo/data/scifact'));
    expect(options.agents).toContain('reader');
    expect(options.encoder).toBe('use');
    expect(options.retriever).toBeUndefined();
    expect(options).toMatchObject({ judge: 'rule', answerJudge: 'em', seeds: 1, limit: 400, dryRun: false });
    expect(parse(['in-domain', '--limit', '0']).options.limit).toBeUndefined();
    expect(options.out).toBeUndefined();
  });

  it('reads every documented flag', () => {
    const { job, options } = parse([
      'ablation', '--dataset', 'd', '--agents', 'reader, openai', '--encoder', 'bow', '--retriever', 'models/x', '--seed', '5', '--seeds', '3', '--limit', '12', '--out', 'o',
      '--base-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--epochs', '1', '--loops', '2', '--steps', '7', '--corpus-limit', '300',
      '--lr', '0.001', '--temperature', '0.05', '--group-size', '4', '--wise-ft', '0.6',
      '--answer-judge', 'llm', '--judge', 'llm', '--judge-base-url', 'http://127.0.0.1:10/v1', '--judge-model', 'j',
    ]);
    expect(job).toBe('ablation');
    expect(options).toMatchObject({
      dataset: path.resolve('d'), agents: ['reader', 'openai'], encoder: 'bow', retriever: path.resolve('models/x'), seed: 5, seeds: 3, limit: 12, out: path.resolve('o'),
      baseUrl: 'http://127.0.0.1:9/v1', model: 'm', epochs: 1, loops: 2, steps: 7, corpusLimit: 300, answerJudge: 'llm', judge: 'llm', judgeBaseUrl: 'http://127.0.0.1:10/v1', judgeModel: 'j',
      lr: 0.001, temperature: 0.05, groupSize: 4, wiseFt: 0.6,
    });
  });

  it('rejects unknown jobs, stray positionals, bad numbers, unknown flags and LLM judges without their own endpoint', () => {
    expect(() => parse(['nope'])).toThrow(/unknown job "nope"/);
    expect(() => parse([])).toThrow(/no job given/);
    expect(() => parse(['in-domain', 'bogus'])).toThrow(/unexpected argument "bogus"/);
    expect(() => parse(['in-domain', 'openai', 'x'])).toThrow(/unexpected arguments "openai", "x"/);
    expect(() => parse(['flywheel', '--limit', '-3'])).toThrow(/--limit must be a positive integer/);
    expect(() => parse(['flywheel', '--seeds', '0'])).toThrow(/--seeds must be a positive integer/);
    expect(() => parse(['flywheel', '--bogus', '1'])).toThrow(/bogus/);
    expect(() => parse(['flywheel', '--temperature', '0'])).toThrow(/--temperature must be a positive number/);
    expect(() => parse(['flywheel', '--group-size', '1'])).toThrow(/--group-size must be an integer ≥ 2/);
    expect(() => parse(['flywheel', '--wise-ft', '1.2'])).toThrow(/--wise-ft must be in \[0, 1\], got 1.2/);
    // The agent's endpoint is never taken for judging.
    expect(() => parse(['flywheel', '--judge', 'llm', '--base-url', 'http://a/v1', '--model', 'm'])).toThrow(/--judge llm needs --judge-base-url and --judge-model/);
    expect(() => parse(['flywheel', '--answer-judge', 'llm', '--base-url', 'http://a/v1', '--model', 'm'])).toThrow(/--answer-judge llm needs --judge-base-url/);
    expect(() => parse(['flywheel', '--judge-base-url', 'http://a/v1'])).toThrow(/go together/);
    expect(() => parse(['flywheel', '--agents', ' , '])).toThrow(/--agents is empty/);
  });

  it('takes the study settings of the encoder kind: use (the default) trains its query tower at lr 1e-4, temperature 0.05 for 4 epochs; --train-sides where it applies', () => {
    expect(parse(['in-domain']).options).toMatchObject({ encoder: 'use', trainSides: 'query', epochs: 4, lr: 1e-4, temperature: 0.05 });
    expect(defaults.temperature).toBe(0.05);
    expect(parse(['in-domain', '--encoder', 'use-adapter']).options).toMatchObject({ encoder: 'use-adapter', epochs: 8, lr: 3e-4 });
    expect(parse(['in-domain', '--encoder', 'use-adapter']).options.trainSides).toBeUndefined();
    expect(parse(['in-domain', '--encoder', 'use-adapter']).options.temperature).toBeUndefined();
    expect(parse(['in-domain', '--train-sides', 'both', '--epochs', '1']).options).toMatchObject({ encoder: 'use', trainSides: 'both', epochs: 1 });
    expect(parse(['in-domain', '--encoder', 'use-adapter', '--train-sides', 'document']).options.trainSides).toBe('document');
    expect(() => parse(['in-domain', '--encoder', 'use', '--train-sides', 'document'])).toThrow(/--train-sides document does not apply to use/);
    expect(() => parse(['in-domain', '--encoder', 'bow', '--train-sides', 'query'])).toThrow(/--train-sides query does not apply to bow/);
    expect(() => parse(['in-domain', '--retriever', '/m', '--train-sides', 'query'])).toThrow(/does not apply to a --retriever folder/);
  });

  it('--help returns the help text instead of a job, even beside other flags', () => {
    const r = parseBenchArgs(['in-domain', '--limit', '5', '--help'], defaults);
    expect('help' in r && r.help).toMatch(/nx run bench:in-domain -- --agents/);
    expect('help' in parseBenchArgs(['-h'], defaults)).toBe(true);
  });

  it('splits agent lists', () => {
    expect(parseAgentList('a,b, a ,,c')).toEqual(['a', 'b', 'c']);
    expect(parseAgentList(['a,b', 'c'])).toEqual(['a', 'b', 'c']);
  });
});

// The built entry point and Nx: what a user types. Needs apps/bench/dist (the bench test target depends on the workspace build).
describe('bench command line (built main.js, nx run)', () => {
  const root = workspaceRoot();
  const main = path.join(root, 'apps', 'bench', 'dist', 'main.js');

  it('in-domain --help exits 0 at once and runs nothing; a stray positional exits 2 naming it', () => {
    const help = spawnSync(process.execPath, [main, 'in-domain', '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Jobs: in-domain/);
    expect(help.stdout + help.stderr).not.toMatch(/index base|collect /);
    const bogus = spawnSync(process.execPath, [main, 'in-domain', 'bogus'], { encoding: 'utf8', timeout: 60_000 });
    expect(bogus.status).toBe(2);
    expect(bogus.stderr).toMatch(/unexpected argument "bogus"/);
  });

  it('nx run bench:in-domain -- --agents openai ... reaches the job (dry run prints the configuration it would run)', () => {
    const out = execFileSync(
      process.execPath,
      [require.resolve('nx/bin/nx.js'), 'run', 'bench:in-domain', '--exclude-task-dependencies', '--skip-nx-cache', '--', '--agents', 'openai', '--base-url', 'http://127.0.0.1:9/v1', '--model', 'M', '--limit', '5', '--dry-run'],
      { cwd: root, encoding: 'utf8', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' }, timeout: 120_000 },
    );
    const json = out.slice(out.indexOf('{'), out.lastIndexOf('}') + 1);
    expect(JSON.parse(json)).toMatchObject({ job: 'in-domain', agents: 'openai', baseUrl: 'http://127.0.0.1:9/v1', model: 'M', limit: 5 });
  });
});
