import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import { parseTrajectoryText } from '../read';
import type { Trajectory } from '../schema';
import { bcpReasoningText, bcpSearchResults, isBrowseCompPlusRun } from './browsecomp-plus';

// One run per BrowseComp-Plus client, in the shape its _persist_response writes
// (texttron/BrowseComp-Plus search_agent/*_client.py), read through the auto-detecting reader.

const hits = [
  { docid: '101', score: 12.5, snippet: 'first hit' },
  { docid: '102', score: 11.0, snippet: 'second hit' },
];
const fastMcpJson = JSON.stringify(hits, null, 2);

function read(run: unknown): Trajectory {
  const item = parseTrajectoryText(JSON.stringify(run), { file: 'run_x.json' }, 'auto');
  if (!item.ok) throw new Error(item.error.message);
  return item.trajectory;
}

const brief = (t: Trajectory) =>
  t.steps.map((s) => (s.type === 'search' ? `search(${s.query}):${s.results.map((r) => r.docid).join(',')}` : s.type === 'browse' ? `browse(${s.docid})` : s.type === 'reasoning' ? `think(${s.text})` : s.type));

const envelope = (result: unknown[]) => ({ metadata: { model: 'm' }, query_id: '7', tool_call_counts: {}, status: 'completed', retrieved_docids: [], result });

describe('BrowseComp-Plus run files, client by client', () => {
  it('openai_client: JSON-text arguments, json.dumps(hits) output, summary parts joined with single spaces', () => {
    const t = read(
      envelope([
        { type: 'reasoning', tool_name: null, arguments: null, output: [{ text: 'Plan.', type: 'summary_text' }, { text: 'Search.', type: 'summary_text' }] },
        { type: 'tool_call', tool_name: 'search', arguments: '{"query":"q one"}', output: fastMcpJson },
        { type: 'tool_call', tool_name: 'get_document', arguments: '{"docid":"102"}', output: '{"docid": "102", "text": "..."}' },
        { type: 'reasoning', tool_name: null, arguments: null, output: [] },
        { type: 'output_text', tool_name: null, arguments: null, output: 'Exact Answer: x' },
      ]),
    );
    expect(brief(t)).toEqual(['think(Plan. Search.)', 'search(q one):101,102', 'browse(102)', 'think()', 'answer']);
    expect(t).toMatchObject({ questionId: '7', question: '', finalAnswer: 'Exact Answer: x', agent: { model: 'm' } });
    const search = t.steps[1];
    expect(search.type === 'search' && search.results[0]).toEqual({ docid: '101', rank: 1, score: 12.5, snippet: 'first hit' });
  });

  it('openai_client_with_mcp: mcp_call output is the MCP server text (FastMCP: one JSON list)', () => {
    const t = read(envelope([{ type: 'tool_call', tool_name: 'search', arguments: '{"query": "q"}', output: fastMcpJson }, { type: 'tool_call', tool_name: 'get_document', arguments: '{"docid": "101"}', output: '{}' }]));
    expect(brief(t)).toEqual(['search(q):101,102', 'browse(101)']);
  });

  it('anthropic_client: object arguments, MCP text parts concatenated (one object per hit), thinking as [text]', () => {
    const perHit = hits.map((h) => JSON.stringify(h, null, 2)).join('');
    const t = read(
      envelope([
        { type: 'reasoning', tool_name: null, arguments: null, output: ['I should search.'] },
        { type: 'tool_call', tool_name: 'search', arguments: { query: 'q' }, output: perHit },
        { type: 'tool_call', tool_name: 'get_document', arguments: { docid: '101' }, output: '{}' },
      ]),
    );
    expect(brief(t)).toEqual(['think(I should search.)', 'search(q):101,102', 'browse(101)']);
  });

  it('gemini_client: object args, output = first MCP text content, thoughts as [text]', () => {
    const t = read(envelope([{ type: 'tool_call', tool_name: 'search', arguments: { query: 'q' }, output: fastMcpJson }, { type: 'reasoning', tool_name: null, arguments: null, output: ['thought'] }]));
    expect(brief(t)).toEqual(['search(q):101,102', 'think(thought)']);
  });

  it('qwen_client: JSON-text arguments, Qwen-Agent MCP names (prefix stripped by the client, and here too)', () => {
    const t = read(envelope([{ type: 'tool_call', tool_name: 'search', arguments: '{"query": "q"}', output: fastMcpJson }, { type: 'tool_call', tool_name: 'search-server-get_document', arguments: '{"docid": "102"}', output: '{}' }]));
    expect(brief(t)).toEqual(['search(q):101,102', 'browse(102)']);
  });

  it('oss_client: local_knowledge_base_retrieval(user_query), reasoning as summary or as a list of strings', () => {
    const t = read(
      envelope([
        { type: 'reasoning', tool_name: null, arguments: null, output: ['step one', 'step two'] },
        { type: 'tool_call', tool_name: 'local_knowledge_base_retrieval', arguments: '{"user_query": "q"}', output: fastMcpJson },
        { type: 'tool_call', tool_name: 'get_document', arguments: '{"docid": "101"}', output: '{}' },
      ]),
    );
    expect(brief(t)).toEqual(['think(step one step two)', 'search(q):101,102', 'browse(101)']);
  });

  it('search_r1_client: object arguments, "Doc i(Title: …)" output with no doc ids, so no results', () => {
    const t = read(envelope([{ type: 'reasoning', tool_name: null, arguments: null, output: 'think' }, { type: 'tool_call', tool_name: 'search', arguments: { query: 'q' }, output: 'Doc 1(Title: A) text\nDoc 2(Title: B) text\n' }]));
    expect(brief(t)).toEqual(['think(think)', 'search(q):']);
  });

  it("their tongyi client's `[title]` blocks carry no ids either (read as an official file: no DocID lines)", () => {
    const t = read(envelope([{ type: 'tool_call', tool_name: 'search', arguments: '{"query": ["q"]}', output: "A search for 'q' found 1 results:\n\n## Web Results\n1. [T]\ntext" }]));
    expect(brief(t)).toEqual(['search(q):']);
  });
});

describe('BrowseComp-Plus parts', () => {
  it('reads hits in every shape the clients produce', () => {
    expect(bcpSearchResults(hits as never).map((r) => r.docid)).toEqual(['101', '102']);
    expect(bcpSearchResults('{"result": [{"docid": 5}]}').map((r) => r.docid)).toEqual(['5']);
    expect(bcpSearchResults('{"docid": "a"}\n{"docid": "b", "snippet": "}{"}').map((r) => r.docid)).toEqual(['a', 'b']);
    expect(bcpSearchResults('DocID: 9\nsnippet').map((r) => r.docid)).toEqual(['9']);
    expect(bcpSearchResults('[{"docid": "3", "snippet": "cut off').map((r) => r.docid)).toEqual(['3']);
    expect(bcpSearchResults('[]')).toEqual([]);
    expect(bcpSearchResults(null)).toEqual([]);
  });

  it('joins {text} parts and strings with single spaces, as the official builder joins a list of strings', () => {
    expect(bcpReasoningText([{ text: 'a', type: 'summary_text' }, 'b', { type: 'x' }] as never)).toBe('a b');
    expect(bcpReasoningText(null)).toBe('');
  });

  it('never takes an official example for a BrowseComp-Plus run', () => {
    const dir = path.resolve(__dirname, '../../../../data/lrat-examples/trajectories');
    for (const f of readdirSync(dir)) expect(isBrowseCompPlusRun(JSON.parse(readFileSync(path.join(dir, f), 'utf8')))).toBe(false);
  });

  it('names the step and field of bad arguments', () => {
    const item = parseTrajectoryText(JSON.stringify(envelope([{ type: 'tool_call', tool_name: 'local_knowledge_base_retrieval', arguments: '{oops', output: '[]' }])), { file: 'run_y.json' }, 'auto');
    expect(item.ok).toBe(false);
    if (!item.ok) expect(item.error.message).toMatch(/run_y\.json.*result\[0\]\.arguments.*not valid JSON/);
  });
});
