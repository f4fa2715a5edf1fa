import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { Bm25Index, saveIndex } from '@lrat/indexer';
import { SessionLog } from '@lrat/server';
import { readTrajectories, type Trajectory } from '@lrat/trajectory';

// End to end through the built CLI: `lrat serve` → an MCP agent session (real SDK client) → `lrat mine`
// on the log directory → the samples the LRAT algorithm defines for that session.

const repo = path.resolve(__dirname, '../../../..');
const lrat = path.join(repo, 'apps/cli/bin/lrat.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lrat-cli-serve-'));
const corpus = path.join(tmp, 'corpus.jsonl');
const docs = [
  { _id: 'paris', title: 'Paris', text: 'Paris is the capital city of France, on the Seine.' },
  { _id: 'berlin', title: 'Berlin', text: 'Berlin is the capital city of Germany.' },
  { _id: 'rome', title: 'Rome', text: 'Rome is the capital city of Italy.' },
  { _id: 'eiffel', title: 'Eiffel Tower', text: 'The Eiffel Tower in Paris is 330 metres tall.' },
  { _id: 'seine', title: 'Seine', text: 'The Seine is a river that flows through Paris.' },
];
fs.writeFileSync(corpus, docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
const index = path.join(tmp, 'idx');

interface Served {
  proc: ChildProcess;
  url: string;
  stderr: () => string;
}

function serve(logDir: string, extra: string[] = []): Promise<Served> {
  const proc = spawn(process.execPath, [lrat, 'serve', '--index', index, '--corpus', corpus, '--port', '0', '--log-dir', logDir, '--snippet-tokenizer', 'whitespace', '-k', '3', ...extra], {
    cwd: tmp,
    env: { ...process.env, LRAT_SERVER_TOKEN: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  return new Promise((resolve, reject) => {
    proc.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) resolve({ proc, url: m[1], stderr: () => err });
    });
    proc.once('exit', (code) => reject(new Error(`lrat serve exited ${code}: ${err}`)));
  });
}

function exited(proc: ChildProcess): Promise<number | null> {
  return new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r(proc.exitCode) : proc.once('exit', (c) => r(c))));
}

function mine(logDir: string, out: string): { status: number | null; stderr: string; samples: Record<string, unknown>[] } {
  const r = spawnSync(process.execPath, [lrat, 'mine', '--trajectories', logDir, '--corpus', corpus, '--judge', 'rule', '--tokenizer', 'whitespace', '--out', out, '--workers', '0'], {
    encoding: 'utf8',
  });
  const samples = fs.existsSync(out) ? fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
  return { status: r.status, stderr: r.stderr, samples };
}

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

beforeAll(async () => {
  await saveIndex(index, Bm25Index.build(docs.map((d) => ({ docid: d._id, title: d.title, text: d.text }))));
});

describe('lrat serve → MCP session → lrat mine', () => {
  it('records the session and mines exactly the samples LRAT defines for it', async () => {
    const logDir = path.join(tmp, 'log-e2e');
    const server = await serve(logDir);
    const client = new Client({ name: 'e2e-agent', version: '1.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`));
    const text = (r: unknown) => (r as { content: { text: string }[] }).content[0].text;
    const rejectText = 'The Berlin page is not relevant: it is about Germany.';
    const acceptText = 'The Paris page says Paris is the capital city of France, which answers the first part of the question.';
    let shown: string[] = [];
    try {
      await client.connect(transport);
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(['get_document', 'search']);
      const hits = JSON.parse(text(await client.callTool({ name: 'search', arguments: { query: 'capital city of France' } }))) as { docid: string; snippet: string }[];
      shown = hits.map((h) => h.docid);
      expect(shown).toHaveLength(3);
      expect(shown).toEqual(expect.arrayContaining(['paris', 'berlin']));
      await client.callTool({ name: 'get_document', arguments: { docid: 'berlin' } });
      const doc = JSON.parse(text(await client.callTool({ name: 'get_document', arguments: { docid: 'paris', reasoning: rejectText } })));
      expect(doc).toEqual({ docid: 'paris', text: 'Paris Paris is the capital city of France, on the Seine.' });
      await client.callTool({ name: 'search', arguments: { query: 'Eiffel Tower height', reasoning: acceptText } });
      await transport.terminateSession();
    } finally {
      await client.close();
      server.proc.kill('SIGTERM');
      await exited(server.proc);
    }

    const out = path.join(tmp, 'pairs-e2e.jsonl');
    const r = mine(logDir, out);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/1 trajectories mined, 0 skipped, 0 dropped/);
    // The browse run [berlin + reasoning, paris + reasoning] after one search (official rules, §2):
    // berlin is rejected by the judge, paris is satisfied; negatives are the shown docs not browsed.
    const unbrowsed = shown.filter((d) => d !== 'paris' && d !== 'berlin');
    const lenReject = rejectText.split(/\s+/).length;
    const lenAccept = acceptText.split(/\s+/).length;
    const beta = (lenReject + lenAccept) / 2;
    const raw = (n: number) => 1 - Math.exp((-n * Math.LN2) / beta);
    const mean = (raw(lenReject) + raw(lenAccept)) / 2;
    expect(r.samples).toHaveLength(2);
    expect(r.samples[0]).toMatchObject({ query: 'capital city of France', pos_id: ['berlin'], neg_id: unbrowsed, reasoning_len: lenReject, satisfied: false });
    expect(r.samples[1]).toMatchObject({ query: 'capital city of France', pos_id: ['paris'], neg_id: ['berlin', ...unbrowsed], reasoning_len: lenAccept, satisfied: true });
    expect(r.samples[1].pos).toEqual([expect.stringContaining('Paris is the capital city of France, on the Seine.')]);
    expect(r.samples[0].reweight_rate as number).toBeCloseTo(raw(lenReject) / mean, 10);
    expect(r.samples[1].reweight_rate as number).toBeCloseTo(raw(lenAccept) / mean, 10);
  });

  it('after kill -9 under load, mine reads the log without error and recovery keeps every answered search', async () => {
    const logDir = path.join(tmp, 'log-kill');
    const server = await serve(logDir);
    let answered = 0;
    let stop = false;
    // The kill comes right after some worker's answered first search of a session, so at least that
    // session is open at the crash whatever the machine's load (polling `answered` alone could land
    // when every worker had just closed its session).
    let midSession!: () => void;
    const killTime = new Promise<void>((r) => (midSession = r));
    const worker = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const session = `w${w}-s${Math.floor(i / 4)}`;
        try {
          const res = await fetch(`${server.url}/v1/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `capital city ${i}`, session }) });
          if (res.status === 200) {
            await res.json();
            answered++;
            if (answered >= 200 && i % 4 === 0) midSession();
          }
          if (i % 4 === 3) await fetch(`${server.url}/v1/sessions/${session}/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        } catch {
          return; // the server is gone
        }
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    await killTime;
    server.proc.kill('SIGKILL');
    stop = true;
    await load;
    await exited(server.proc);

    // Right after the crash: the closed sessions read cleanly; open ones wait in .open-sessions/.
    const before = mine(logDir, path.join(tmp, 'pairs-kill-1.jsonl'));
    expect(before.status).toBe(0);
    expect(before.stderr).toMatch(/0 skipped, 0 dropped, 0 truncated lines/);

    // Recovery (what the next `lrat serve --log-dir` does on start) writes the crashed sessions.
    const report = new SessionLog({ dir: logDir }).recover();
    expect(report.recovered).toBeGreaterThan(0);
    let searches = 0;
    for await (const item of readTrajectories([logDir], { format: 'jsonl', strict: true })) {
      if (item.ok) searches += item.trajectory.steps.filter((s) => s.type === 'search').length;
    }
    // Every answered search is logged; at most the requests in flight (≤ 4 clients) were logged unanswered.
    expect(searches).toBeGreaterThanOrEqual(answered);
    expect(searches).toBeLessThanOrEqual(answered + 4);
    const after = mine(logDir, path.join(tmp, 'pairs-kill-2.jsonl'));
    expect(after.status).toBe(0);
    expect(after.stderr).toMatch(/0 skipped, 0 dropped, 0 truncated lines/);
  });

  it('serves MCP over stdio from the CLI', async () => {
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
    const logDir = path.join(tmp, 'log-stdio');
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [lrat, 'serve', '--transport', 'stdio', '--index', index, '--corpus', corpus, '--log-dir', logDir, '-k', '2'],
      stderr: 'pipe',
    });
    const client = new Client({ name: 'stdio-host', version: '1' });
    await client.connect(transport);
    const res = await client.callTool({ name: 'search', arguments: { query: 'river Seine' } });
    const hits = JSON.parse((res.content as { text: string }[])[0].text) as { docid: string; snippet: string }[];
    expect(hits[0].docid).toBe('seine');
    expect(hits).toHaveLength(2);
    // Qwen3 snippets by default: this document is shorter than 64 tokens, so it is shown whole.
    expect(hits[0].snippet).toBe('Seine The Seine is a river that flows through Paris.');
    await client.close();
    for (let i = 0; i < 200 && !fs.readdirSync(logDir).some((f) => f.startsWith('trajectories-')); i++) await new Promise((r) => setTimeout(r, 25));
    const r = mine(logDir, path.join(tmp, 'pairs-stdio.jsonl'));
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/1 trajectories mined/);
  });

  it('hot-swaps on SIGHUP from a BM25 index to a dense one (encoder loaded from its manifest), recording each version', async () => {
    const model = path.join(tmp, 'bow-model');
    const make = spawnSync(
      process.execPath,
      ['-e', `const t = require('@lrat/trainer'); (async () => { await t.selectBackend({ prefer: 'wasm', log: () => {} }); const e = await t.createEncoder('bow', { seed: 3 }); await e.save(${JSON.stringify(model)}); })().catch((e) => { console.error(e); process.exit(1); });`],
      { cwd: repo, encoding: 'utf8' },
    );
    expect(make.stderr).not.toMatch(/Error/);
    const dense = path.join(tmp, 'idx-dense');
    const idx = spawnSync(process.execPath, [lrat, 'index', '--corpus', corpus, '--encoder', model, '--factory', 'Flat', '--out', dense, '--quiet'], { encoding: 'utf8' });
    expect(idx.status).toBe(0);
    const current = path.join(tmp, 'current-index');
    fs.symlinkSync(index, current);
    const logDir = path.join(tmp, 'log-hup');
    const proc = spawn(process.execPath, [lrat, 'serve', '--index', current, '--corpus', corpus, '--port', '0', '--log-dir', logDir, '--snippet-tokenizer', 'whitespace'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    const url = await new Promise<string>((resolve, reject) => {
      proc.stderr?.on('data', (b: Buffer) => {
        err += b.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
        if (m) resolve(m[1]);
      });
      proc.once('exit', (code) => reject(new Error(`lrat serve exited ${code}: ${err}`)));
    });
    const health = async () => ((await (await fetch(`${url}/healthz`)).json()) as { index: { kind: string; version: string } }).index;
    const search = async () => {
      const r = await fetch(`${url}/v1/search`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-lrat-session': 'hup' }, body: JSON.stringify({ query: 'river through Paris', k: 2 }) });
      expect(r.status).toBe(200);
      return ((await r.json()) as { results: { docid: string }[] }).results;
    };
    try {
      const before = await health();
      expect(before.kind).toBe('bm25');
      expect((await search())[0].docid).toBe('seine');
      const next = path.join(tmp, 'current-index.new');
      fs.symlinkSync(dense, next);
      fs.renameSync(next, current);
      proc.kill('SIGHUP');
      let after = before;
      // Loading the encoder (tfjs wasm start-up) takes seconds on a busy machine: wait up to a minute.
      for (const deadline = Date.now() + 60_000; after.kind === 'bm25' && !/reload failed/.test(err) && Date.now() < deadline; ) {
        await new Promise((r) => setTimeout(r, 50));
        after = await health();
      }
      expect({ kind: after.kind, err }).toEqual({ kind: 'dense', err: expect.stringMatching(/reloaded/) });
      expect(await search()).toHaveLength(2);
      await fetch(`${url}/v1/sessions/hup/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const trajectories: Trajectory[] = [];
      for await (const item of readTrajectories([logDir], { format: 'jsonl', strict: true })) if (item.ok) trajectories.push(item.trajectory);
      expect(trajectories[0].steps.map((s) => (s.type === 'search' ? s.index : s.type))).toEqual([before.version, after.version]);
    } finally {
      proc.kill('SIGTERM');
      await exited(proc);
    }
  });

  it('shows MCP host and curl examples in --help, and rejects a missing index with a clear error', () => {
    const help = spawnSync(process.execPath, [lrat, 'serve', '--help'], { encoding: 'utf8' });
    expect(help.stdout).toMatch(/"mcpServers"/);
    expect(help.stdout).toMatch(/curl -s localhost:8000\/v1\/search/);
    const bad = spawnSync(process.execPath, [lrat, 'serve', '--index', path.join(tmp, 'nope'), '--corpus', corpus, '--port', '0', '--log-dir', path.join(tmp, 'l')], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/nope/);
  });

  it('refuses to start on an index built from another corpus, naming the mismatch', () => {
    const other = path.join(tmp, 'other-corpus.jsonl');
    fs.writeFileSync(other, JSON.stringify({ _id: 'paris', text: 'Paris.' }) + '\n' + JSON.stringify({ _id: 'oslo', text: 'Oslo.' }) + '\n');
    const r = spawnSync(process.execPath, [lrat, 'serve', '--index', index, '--corpus', other, '--port', '0', '--log-dir', path.join(tmp, 'l2')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/index .*idx holds 5 documents, 4 of which are not in corpus .*other-corpus\.jsonl \(e\.g\. "[a-z]+", "[a-z]+", "[a-z]+"\): it was built from another corpus/);
  });

  it('refuses to write an index over a folder that is not one (a web app with its own manifest.json)', () => {
    const app = path.join(tmp, 'app');
    fs.mkdirSync(path.join(app, 'src'), { recursive: true });
    fs.writeFileSync(path.join(app, 'manifest.json'), '{"name":"x"}');
    fs.writeFileSync(path.join(app, 'src', 'main.js'), 'code');
    const r = spawnSync(process.execPath, [lrat, 'index', '--corpus', corpus, '--encoder', 'bm25', '--out', app, '--quiet'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/refusing to replace .*app: manifest.json has field "format" missing, not "lrat-index"/);
    expect(fs.readFileSync(path.join(app, 'src', 'main.js'), 'utf8')).toBe('code');
  });
});

