import * as fs from 'fs';
import * as path from 'path';
import { TrajectorySchema } from '@lrat/trajectory';
import { SearchService } from './search-service';
import { SessionLog } from './session-log';
import { whitespaceSnippeter } from '@lrat/core';
import { TermBackend } from './testing/term-backend';
import { removeTmpDirs, tmpDir, TINY_CORPUS } from './testing/fixtures';

afterAll(removeTmpDirs);

function setup(opts: { k?: number; loader?: boolean } = {}) {
  const dir = tmpDir();
  const log = new SessionLog({ dir });
  const backend = new TermBackend(TINY_CORPUS, { version: 'v1' });
  const next = new TermBackend(TINY_CORPUS, { version: 'v2' });
  const service = new SearchService(backend, {
    snippeter: whitespaceSnippeter(4),
    k: opts.k ?? 3,
    log,
    source: { index: 'idx-a', corpus: 'c.jsonl' },
    loader: opts.loader ? async () => next : undefined,
  });
  return { dir, log, backend, next, service };
}

function lines(dir: string) {
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('trajectories-'))
    .flatMap((f) => fs.readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean))
    .map((l) => TrajectorySchema.parse(JSON.parse(l)));
}

describe('SearchService', () => {
  it('returns top-k with snippets of the first N tokens', async () => {
    const { service } = setup();
    const { results, version } = await service.search('capital Paris', undefined, { transport: 'http' });
    expect(version).toBe('v1');
    expect(results.map((r) => r.docid)).toEqual(['d1', 'd2', 'd3']);
    expect(results[0]).toEqual({ docid: 'd1', score: 2, snippet: 'Paris is the capital' });
    expect((await service.search('Paris', 1, { transport: 'http' })).results).toHaveLength(1);
  });

  it('records reasoning before the call it came with, and the index version of each search', async () => {
    const { service, dir } = setup();
    const ctx = { session: 'sess-1', transport: 'http' };
    await service.search('capital of France', undefined, ctx);
    await service.getDocument('d1', { ...ctx, reasoning: 'the first hit names Paris' });
    await service.search('Eiffel Tower', undefined, { ...ctx, reasoning: 'd1 confirms Paris; now the tower' });
    service.note('sess-1', { answer: 'Paris' }, { transport: 'http' });
    await service.search('not recorded: no session', undefined, { transport: 'http' });
    service.closeSession('sess-1', 'client-close');
    const [t] = lines(dir);
    expect(t.steps.map((s) => s.type)).toEqual(['search', 'reasoning', 'browse', 'reasoning', 'search', 'answer']);
    expect(t.steps[0]).toMatchObject({ type: 'search', query: 'capital of France', index: 'v1' });
    expect((t.steps[0] as { results: { docid: string; rank?: number; snippet?: string }[] }).results[0]).toMatchObject({ docid: 'd1', rank: 1, snippet: 'Paris is the capital' });
    expect(t.finalAnswer).toBe('Paris');
    expect(lines(dir)).toHaveLength(1);
  });

  it('rejects bad input with an InputError and unknown docs with a NotFoundError', async () => {
    const { service } = setup();
    const ctx = { transport: 'http' };
    await expect(service.search('', undefined, ctx)).rejects.toThrow(/must not be empty/);
    await expect(service.search(42, undefined, ctx)).rejects.toThrow(/must be a string/);
    await expect(service.search('x'.repeat(5000), undefined, ctx)).rejects.toThrow(/longer than 2048/);
    await expect(service.search('Paris', 1000, ctx)).rejects.toThrow(/1\.\.100/);
    await expect(service.search('Paris', 2.5, ctx)).rejects.toThrow(/integer/);
    await expect(service.search('Paris', undefined, { ...ctx, session: '../../etc' })).rejects.toThrow(/session/);
    await expect(service.getDocument('nope', ctx)).rejects.toThrow(expect.objectContaining({ name: 'NotFoundError', statusCode: 404 }));
    expect(() => service.note('s', {}, ctx)).toThrow(/at least one/);
  });

  it('hot-swaps atomically: in-flight searches finish on the old index, new ones use the new', async () => {
    const { service, backend, next, dir } = setup({ loader: true });
    const release = backend.hold();
    const inflight = service.search('Paris', undefined, { session: 's', transport: 'http' });
    const reload = await service.reload();
    expect(reload).toMatchObject({ version: 'v2', previous: 'v1' });
    expect(backend.closed).toBe(false); // still serving the held request
    const after = await service.search('Paris', undefined, { session: 's', transport: 'http' });
    expect(after.version).toBe('v2');
    release();
    expect((await inflight).version).toBe('v1');
    await new Promise((r) => setImmediate(r));
    expect(backend.closed).toBe(true);
    expect(next.closed).toBe(false);
    service.closeSession('s', 'x');
    const [t] = lines(dir);
    expect(t.steps.map((s) => (s as { index?: string }).index)).toEqual(['v2', 'v1']);
    expect(service.source).toEqual({ index: 'idx-a', corpus: 'c.jsonl' });
  });

  it('a failed reload keeps the current index serving; reload without a loader is refused', async () => {
    const { service } = setup();
    await expect(service.reload()).rejects.toThrow(/without a loader/);
    const dir = tmpDir();
    const failing = new SearchService(new TermBackend(TINY_CORPUS, { version: 'v1' }), {
      snippeter: whitespaceSnippeter(4),
      log: new SessionLog({ dir }),
      source: { index: 'a', corpus: 'b' },
      loader: async () => {
        throw new Error('manifest.json missing');
      },
    });
    await expect(failing.reload()).rejects.toThrow(/manifest/);
    expect(failing.version).toBe('v1');
    expect((await failing.search('Paris', undefined, { transport: 'http' })).results.length).toBeGreaterThan(0);
  });

  it('precomputes snippets for the whole corpus without blocking searches', async () => {
    const dir = tmpDir();
    let calls = 0;
    const snippeter = { tokenizer: 'whitespace' as const, maxTokens: 2, snippet: (t: string) => (calls++, t.split(' ').slice(0, 2).join(' ')) };
    const service = new SearchService(new TermBackend(TINY_CORPUS), { snippeter, log: new SessionLog({ dir }) });
    const warming = service.warmSnippets({ chunk: 2 });
    const during = await service.search('Paris', undefined, { transport: 'http' });
    expect(during.results.length).toBeGreaterThan(0);
    expect(await warming).toBe(Object.keys(TINY_CORPUS).length);
    const before = calls;
    expect((await service.search('capital Germany Paris Eiffel', 5, { transport: 'http' })).results).toHaveLength(5);
    expect(calls).toBe(before); // every snippet came from the cache
    expect(calls).toBe(Object.keys(TINY_CORPUS).length);
  });

  it('closes idle sessions', async () => {
    const { service, dir } = setup();
    await service.search('Paris', undefined, { session: 'idle', transport: 'http' });
    expect(service.sweepIdle(Date.now() + 10)).toEqual([]);
    expect(service.sweepIdle(Date.now() + 31 * 60 * 1000)).toEqual(['idle']);
    expect(lines(dir)[0].metadata?.closeReason).toBe('idle-timeout');
  });
});
