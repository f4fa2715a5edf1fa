import * as path from 'path';
import { parseBenchArgs } from './cli';
import { defaultOptions, parseAgentList } from './options';

describe('bench flags', () => {
  const defaults = defaultOptions('/repo');

  it('defaults to the offline study on the shipped data', () => {
    const { job, options } = parseBenchArgs(['in-domain'], defaults);
    expect(job).toBe('in-domain');
    expect(options.dataset).toBe(path.resolve('/repo/data/multihop-wiki'));
    expect(options.oodDataset).toBe(path.resolve('/repo/data/scifact'));
    expect(options.agents).toEqual(['careful', 'greedy', 'shallow']);
    expect(options.retriever).toBe('use-adapter');
    expect(options.judge).toBe('rule');
    expect(options.limit).toBe(400);
    expect(parseBenchArgs(['in-domain', '--limit', '0'], defaults).options.limit).toBeUndefined();
    expect(options.out).toBeUndefined();
  });

  it('reads every documented flag', () => {
    const { job, options } = parseBenchArgs(
      ['ablation', '--dataset', 'd', '--agents', 'careful, openai', '--retriever', 'bow', '--seed', '5', '--limit', '12', '--out', 'o', '--base-url', 'http://127.0.0.1:9/v1', '--model', 'm', '--epochs', '1', '--loops', '2', '--corpus-limit', '300'],
      defaults,
    );
    expect(job).toBe('ablation');
    expect(options).toMatchObject({ dataset: path.resolve('d'), agents: ['careful', 'openai'], retriever: 'bow', seed: 5, limit: 12, out: path.resolve('o'), baseUrl: 'http://127.0.0.1:9/v1', model: 'm', epochs: 1, loops: 2, corpusLimit: 300 });
  });

  it('rejects unknown jobs, bad numbers, unknown flags and an LLM judge without endpoint', () => {
    expect(() => parseBenchArgs(['nope'], defaults)).toThrow(/unknown job "nope"/);
    expect(() => parseBenchArgs(['flywheel', '--limit', '-3'], defaults)).toThrow(/--limit must be a positive integer/);
    expect(() => parseBenchArgs(['flywheel', '--bogus', '1'], defaults)).toThrow(/bogus/);
    expect(() => parseBenchArgs(['flywheel', '--judge', 'llm'], defaults)).toThrow(/--judge llm needs --base-url/);
    expect(() => parseBenchArgs(['flywheel', '--agents', ' , '], defaults)).toThrow(/--agents is empty/);
  });

  it('splits agent lists', () => {
    expect(parseAgentList('a,b, a ,,c')).toEqual(['a', 'b', 'c']);
    expect(parseAgentList(['a,b', 'c'])).toEqual(['a', 'b', 'c']);
  });
});
